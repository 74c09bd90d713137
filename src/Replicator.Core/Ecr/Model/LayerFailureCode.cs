namespace Replicator.Core.Ecr.Model;

/// <summary>Values of the ECR model's <c>LayerFailureCode</c> enumeration, sent and received as strings.</summary>
public static class LayerFailureCode
{
    public const string InvalidLayerDigest = "InvalidLayerDigest";
    public const string MissingLayerDigest = "MissingLayerDigest";
}
