namespace Replicator.Core.Ecr;

/// <summary>What an ECR error response says, once parsed: normalised code, message, and the extra fields of InvalidLayerPart and KmsException.</summary>
public sealed record EcrErrorDetails(string ErrorCode, string Message, long? LastValidByteReceived)
{
    /// <summary>A KmsException's <c>kmsError</c>: the code KMS gave ECR (e.g. <c>ThrottlingException</c>).</summary>
    public string? KmsError { get; init; }
}
