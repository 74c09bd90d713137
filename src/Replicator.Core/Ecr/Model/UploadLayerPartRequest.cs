using System.Text.Json.Serialization;
using Replicator.Core.Ecr.Http;

namespace Replicator.Core.Ecr.Model;

public sealed class UploadLayerPartRequest
{
    [JsonPropertyName("registryId")]
    public string? RegistryId { get; set; }

    [JsonPropertyName("repositoryName")]
    public string? RepositoryName { get; set; }

    [JsonPropertyName("uploadId")]
    public string? UploadId { get; set; }

    [JsonPropertyName("partFirstByte")]
    public long? PartFirstByte { get; set; }

    [JsonPropertyName("partLastByte")]
    public long? PartLastByte { get; set; }

    /// <summary>
    /// The part's bytes. AWSSDK.ECR uses a MemoryStream here; this client takes memory the caller owns
    /// (typically a pooled buffer) and base64-encodes it straight into a pooled request body, so a part is never copied.
    /// </summary>
    [JsonPropertyName("layerPartBlob")]
    public ReadOnlyMemory<byte> LayerPartBlob { get; set; }

    /// <summary>
    /// The part already encoded and hashed, shared by every destination that sends it; when set, the body is built
    /// from it and <see cref="LayerPartBlob"/> is not read. Not part of the wire model.
    /// </summary>
    [JsonIgnore]
    internal IEncodedLayerPart? EncodedPart { get; set; }
}
