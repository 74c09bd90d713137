namespace Replicator.Core.Ecr.Model;

/// <summary>The request id ECR gave a call (<c>x-amzn-RequestId</c>), for support cases and log correlation.</summary>
public sealed class ResponseMetadata
{
    public string? RequestId { get; set; }
}
