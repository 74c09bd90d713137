namespace Replicator.Core.Ecr.Model;

/// <summary>Values of the ECR model's <c>ImageStatus</c> enumeration, sent and received as strings.</summary>
public static class ImageStatus
{
    public const string Active = "ACTIVE";
    public const string Archived = "ARCHIVED";
    public const string Activating = "ACTIVATING";
}
