using System.Text.Json.Serialization;

namespace Replicator.Function.ReplicatedEvents;

/// <summary>
/// The <c>detail</c> of an "ECR Image Replicated" event. Field names are kebab-case like those of ECR's own
/// "ECR Image Action" detail (docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-eventbridge.html), so a rule
/// written for one reads naturally on the other. The shape is a contract: documented in the function's README.
/// </summary>
public sealed record ReplicatedEventDetail
{
    /// <summary>Replicated (this copy wrote the image) or UpToDate (the destination already held it).</summary>
    [JsonPropertyName("result")]
    public required string Result { get; init; }

    /// <summary>The source repository, as in the push event.</summary>
    [JsonPropertyName("repository-name")]
    public required string RepositoryName { get; init; }

    /// <summary>The repository in the destination: the source name, or what REPOSITORY_MAPPING maps it to.</summary>
    [JsonPropertyName("destination-repository-name")]
    public required string DestinationRepositoryName { get; init; }

    [JsonPropertyName("image-digest")]
    public required string ImageDigest { get; init; }

    /// <summary>
    /// The pushed tag, only when the destination's tag names <see cref="ImageDigest"/> (this copy moved it there or found
    /// it there: <see cref="Replicator.Core.Replication.DestinationResult.Tag"/>). Absent for a push by digest (a
    /// referrer, an index child) and for a late event whose tag the source has since moved to another digest: that
    /// digest was copied untagged.
    /// </summary>
    [JsonPropertyName("image-tag")]
    public string? ImageTag { get; init; }

    [JsonPropertyName("source-region")]
    public required string SourceRegion { get; init; }

    [JsonPropertyName("destination-region")]
    public required string DestinationRegion { get; init; }

    [JsonPropertyName("source-registry-id")]
    public required string SourceRegistryId { get; init; }

    /// <summary>
    /// The destination's account; absent when it is not known (a REGION destination written with credentials of its
    /// own, such as another partition's, for which ECR reported none).
    /// </summary>
    [JsonPropertyName("destination-registry-id")]
    public string? DestinationRegistryId { get; init; }

    /// <summary>Seconds from the push event's time to the moment the destination held the image: the ReplicationLatency metric's value.</summary>
    [JsonPropertyName("latency-seconds")]
    public double? LatencySeconds { get; init; }

    /// <summary>Bytes this copy uploaded to the destination (0 when every layer was there): the BytesCopied metric's value.</summary>
    [JsonPropertyName("bytes-copied")]
    public long BytesCopied { get; init; }

    /// <summary>
    /// For a referrer this copy brought along with the pushed image (<see cref="Replicator.Core.Replication.DestinationResult.ReferrersPut"/>),
    /// or a subject it put before the pushed referrer (<see cref="Replicator.Core.Replication.DestinationResult.SubjectsPut"/>):
    /// that image's digest, the one the push event named. Absent on the image's own event. Such an event has no tag, no
    /// latency (its own push is not what was measured) and 0 bytes (the image's event counts them all).
    /// </summary>
    [JsonPropertyName("copied-with-digest")]
    public string? CopiedWithDigest { get; init; }
}
