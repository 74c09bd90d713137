using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class EncryptionConfiguration
{
    /// <summary>One of <see cref="EncryptionType"/>.</summary>
    [JsonPropertyName("encryptionType")]
    public string? EncryptionType { get; set; }

    [JsonPropertyName("kmsKey")]
    public string? KmsKey { get; set; }
}
