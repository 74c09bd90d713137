namespace Replicator.Cli.Verification;

/// <summary>One tag in one destination, compared with the source.</summary>
public sealed record DriftEntry(string Repository, string Tag, string Destination, string? SourceDigest, string? DestinationDigest, DriftStatus Status);
