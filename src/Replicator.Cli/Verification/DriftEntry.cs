using System.Text.Json.Serialization;

namespace Replicator.Cli.Verification;

/// <summary>
/// One tag in one destination, compared with the source; or, with <see cref="SubjectDigest"/> set, one referrer of
/// the image that <see cref="Tag"/> selects (its digest is <see cref="SourceDigest"/>); or, with the status
/// <see cref="DriftStatus.Unreadable"/>, one repository of a destination that could not be read (no tag, no digests,
/// and a <see cref="Reason"/>); or, with the status <see cref="DriftStatus.ReferrersUnlisted"/>, the referrers of the
/// image that <see cref="Tag"/> selects, which the source would not list (its digest, and a <see cref="Reason"/>).
/// </summary>
public sealed record DriftEntry(string Repository, string? Tag, string Destination, string? SourceDigest, string? DestinationDigest, DriftStatus Status)
{
    /// <summary>For a referrer: the manifest it refers to (the tagged image, or another referrer). Null for a tag.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SubjectDigest { get; init; }

    /// <summary>For a referrer: its <c>artifactType</c> as ECR reports it, when it has one.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ArtifactType { get; init; }

    /// <summary>
    /// ECR's <c>imageStatus</c> of the source image when it is not ACTIVE (ARCHIVED, ACTIVATING): it cannot be pulled, so
    /// where the destination lacks the tag the entry is <see cref="DriftStatus.ArchivedNotReplicated"/>. Null for an
    /// active image.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SourceImageStatus { get; init; }

    /// <summary>ECR's <c>imageStatus</c> of the destination's image when it is not ACTIVE: an archived replica is still held.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DestinationImageStatus { get; init; }

    /// <summary>
    /// For <see cref="DriftStatus.Unreadable"/>: why the destination could not be read; for
    /// <see cref="DriftStatus.ReferrersUnlisted"/>: why the source would not list the referrers. One line, redacted (the
    /// error's code and message). Null otherwise.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reason { get; init; }

    /// <summary>
    /// For a tag found at a different digest that the source moved during the check to the destination's digest (in
    /// sync at the source's current digest, <see cref="TagRecheck.SettleMovedTagsAsync"/>): the digest the source's
    /// first listing named, which this tag no longer compares. Not reported: the entry reads as any tag in sync.
    /// </summary>
    [JsonIgnore]
    public string? ListedDigest { get; init; }

    [JsonIgnore]
    public bool IsReferrer => SubjectDigest is not null;
}
