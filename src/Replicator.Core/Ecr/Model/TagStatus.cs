namespace Replicator.Core.Ecr.Model;

/// <summary>Values of the ECR model's <c>TagStatus</c> enumeration, sent and received as strings.</summary>
public static class TagStatus
{
    public const string Tagged = "TAGGED";
    public const string Untagged = "UNTAGGED";
    public const string Any = "ANY";
}
