using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class ImageDetail
{
    [JsonPropertyName("registryId")]
    public string? RegistryId { get; set; }

    [JsonPropertyName("repositoryName")]
    public string? RepositoryName { get; set; }

    [JsonPropertyName("imageDigest")]
    public string? ImageDigest { get; set; }

    [JsonPropertyName("imageTags")]
    public List<string>? ImageTags { get; set; }

    [JsonPropertyName("imageSizeInBytes")]
    public long? ImageSizeInBytes { get; set; }

    [JsonPropertyName("imagePushedAt")]
    public DateTimeOffset? ImagePushedAt { get; set; }

    [JsonPropertyName("imageScanStatus")]
    public ImageScanStatus? ImageScanStatus { get; set; }

    [JsonPropertyName("imageScanFindingsSummary")]
    public ImageScanFindingsSummary? ImageScanFindingsSummary { get; set; }

    [JsonPropertyName("imageManifestMediaType")]
    public string? ImageManifestMediaType { get; set; }

    [JsonPropertyName("artifactMediaType")]
    public string? ArtifactMediaType { get; set; }

    [JsonPropertyName("lastRecordedPullTime")]
    public DateTimeOffset? LastRecordedPullTime { get; set; }

    [JsonPropertyName("subjectManifestDigest")]
    public string? SubjectManifestDigest { get; set; }

    /// <summary>One of <see cref="ImageStatus"/>.</summary>
    [JsonPropertyName("imageStatus")]
    public string? ImageStatus { get; set; }

    [JsonPropertyName("lastArchivedAt")]
    public DateTimeOffset? LastArchivedAt { get; set; }

    [JsonPropertyName("lastActivatedAt")]
    public DateTimeOffset? LastActivatedAt { get; set; }
}
