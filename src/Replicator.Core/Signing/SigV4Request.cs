namespace Replicator.Core.Signing;

/// <summary>
/// The parts of an HTTP request that SigV4 signs. <see cref="Path"/> and the query pairs are given
/// unencoded: the signer percent-encodes them once (for a service other than S3 pass the path as sent on
/// the wire, already encoded, which yields the double encoding AWS expects). Headers must include <c>host</c>.
/// </summary>
public sealed record SigV4Request(
    string Method,
    string Path,
    IReadOnlyList<KeyValuePair<string, string>> Query,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    string PayloadSha256Hex);
