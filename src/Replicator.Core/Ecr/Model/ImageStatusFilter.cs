namespace Replicator.Core.Ecr.Model;

/// <summary>Values of the ECR model's <c>ImageStatusFilter</c> enumeration, sent and received as strings.</summary>
public static class ImageStatusFilter
{
    public const string Active = "ACTIVE";
    public const string Archived = "ARCHIVED";
    public const string Activating = "ACTIVATING";
    public const string Any = "ANY";
}
