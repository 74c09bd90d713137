namespace Replicator.Core.Reconciliation;

/// <summary>Why an image needs an event: what at least one destination lacks or holds differently.</summary>
public enum DriftKind
{
    /// <summary>A source tag that a destination does not have (or whose repository it does not have).</summary>
    MissingTag,

    /// <summary>A source tag that a destination holds at another digest.</summary>
    DifferentDigest,

    /// <summary>A referrer (signature, SBOM, attestation) of an image a destination holds, missing there.</summary>
    MissingReferrer,

    /// <summary>A destination tag the source no longer has; only looked for when deletes are replicated.</summary>
    DeletedTag,
}
