namespace Replicator.Core.Ecr.Model;

/// <summary>Values of the ECR model's <c>ImageTagMutabilityExclusionFilterType</c> enumeration, sent and received as strings.</summary>
public static class ImageTagMutabilityExclusionFilterType
{
    public const string Wildcard = "WILDCARD";
}
