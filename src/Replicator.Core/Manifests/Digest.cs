using System.Security.Cryptography;
using Replicator.Core.Validation;

namespace Replicator.Core.Manifests;

/// <summary>
/// Content digests as the OCI image spec (descriptor.md) registers them: <c>sha256:</c> and 64 lowercase hex
/// digits, or <c>sha512:</c> and 128.
/// </summary>
public static class Digest
{
    public const string Sha256Prefix = "sha256:";
    public const string Sha512Prefix = "sha512:";

    public static string Compute(ReadOnlySpan<byte> content)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(content, hash);
        return Sha256Prefix + Convert.ToHexStringLower(hash);
    }

    /// <summary>Hashes with the algorithm <paramref name="digest"/> names; null when it names none this class knows.</summary>
    public static string? ComputeLike(string digest, ReadOnlySpan<byte> content)
    {
        if (digest.StartsWith(Sha256Prefix, StringComparison.Ordinal))
        {
            return Compute(content);
        }

        if (digest.StartsWith(Sha512Prefix, StringComparison.Ordinal))
        {
            Span<byte> hash = stackalloc byte[SHA512.HashSizeInBytes];
            SHA512.HashData(content, hash);
            return Sha512Prefix + Convert.ToHexStringLower(hash);
        }

        return null;
    }

    public static bool Matches(string digest, ReadOnlySpan<byte> content) =>
        string.Equals(ComputeLike(digest, content), digest, StringComparison.Ordinal);

    /// <summary>The digest grammar, which the ECR event's and the CLI's digests share (<see cref="EcrNames.IsDigest"/>).</summary>
    public static bool IsValid(string? value) => EcrNames.IsDigest(value);

    /// <summary>Null when valid, else a message naming the value and the expected form.</summary>
    public static string? Validate(string? value) => value switch
    {
        null or "" => "digest is missing",
        _ when IsValid(value) => null,
        _ => $"digest {EcrNames.Quote(value)} is invalid: expected sha256: and 64 lowercase hex digits (or sha512: and 128)",
    };
}
