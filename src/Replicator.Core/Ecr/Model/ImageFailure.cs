using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class ImageFailure
{
    [JsonPropertyName("imageId")]
    public ImageIdentifier? ImageId { get; set; }

    /// <summary>One of <see cref="ImageFailureCode"/>.</summary>
    [JsonPropertyName("failureCode")]
    public string? FailureCode { get; set; }

    [JsonPropertyName("failureReason")]
    public string? FailureReason { get; set; }
}
