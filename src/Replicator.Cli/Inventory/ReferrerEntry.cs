namespace Replicator.Cli.Inventory;

/// <summary>One referrer (a signature, an SBOM, an attestation) found in the source: the manifest whose <c>subject</c> is <see cref="SubjectDigest"/>.</summary>
public sealed record ReferrerEntry(string SubjectDigest, string Digest, string? ArtifactType);
