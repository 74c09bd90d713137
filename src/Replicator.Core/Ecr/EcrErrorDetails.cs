namespace Replicator.Core.Ecr;

/// <summary>What an ECR error response says, once parsed: normalised code, message, and the extra field of InvalidLayerPart.</summary>
public sealed record EcrErrorDetails(string ErrorCode, string Message, long? LastValidByteReceived);
