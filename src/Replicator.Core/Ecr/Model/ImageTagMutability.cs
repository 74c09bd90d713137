namespace Replicator.Core.Ecr.Model;

/// <summary>Values of the ECR model's <c>ImageTagMutability</c> enumeration, sent and received as strings.</summary>
public static class ImageTagMutability
{
    public const string Mutable = "MUTABLE";
    public const string Immutable = "IMMUTABLE";
    public const string ImmutableWithExclusion = "IMMUTABLE_WITH_EXCLUSION";
    public const string MutableWithExclusion = "MUTABLE_WITH_EXCLUSION";
}
