using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class InitiateLayerUploadResponse : EcrResponse
{
    [JsonPropertyName("uploadId")]
    public string? UploadId { get; set; }

    [JsonPropertyName("partSize")]
    public long? PartSize { get; set; }
}
