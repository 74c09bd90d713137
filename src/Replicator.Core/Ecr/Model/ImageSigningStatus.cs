using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class ImageSigningStatus
{
    [JsonPropertyName("signingProfileArn")]
    public string? SigningProfileArn { get; set; }

    /// <summary>Present only when <see cref="Status"/> is FAILED.</summary>
    [JsonPropertyName("failureCode")]
    public string? FailureCode { get; set; }

    [JsonPropertyName("failureReason")]
    public string? FailureReason { get; set; }

    /// <summary>One of <see cref="SigningStatus"/>.</summary>
    [JsonPropertyName("status")]
    public string? Status { get; set; }
}
