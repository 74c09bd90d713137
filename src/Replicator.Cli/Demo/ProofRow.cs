namespace Replicator.Cli.Demo;

/// <summary>One manifest of the pushed image and what each destination holds under the same reference.</summary>
public sealed record ProofRow(string Repository, string? Tag, string What, string SourceDigest, IReadOnlyList<string?> DestinationDigests)
{
    public bool Matches => DestinationDigests.All(d => string.Equals(d, SourceDigest, StringComparison.Ordinal));
}
