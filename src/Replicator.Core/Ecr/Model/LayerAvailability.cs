namespace Replicator.Core.Ecr.Model;

/// <summary>Values of the ECR model's <c>LayerAvailability</c> enumeration, sent and received as strings.</summary>
public static class LayerAvailability
{
    public const string Available = "AVAILABLE";
    public const string Unavailable = "UNAVAILABLE";
    public const string Archived = "ARCHIVED";
}
