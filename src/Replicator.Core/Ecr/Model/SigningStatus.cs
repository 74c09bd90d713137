namespace Replicator.Core.Ecr.Model;

/// <summary>Values of the ECR model's <c>SigningStatus</c> enumeration (managed signing), sent and received as strings.</summary>
public static class SigningStatus
{
    public const string InProgress = "IN_PROGRESS";
    public const string Complete = "COMPLETE";
    public const string Failed = "FAILED";
}
