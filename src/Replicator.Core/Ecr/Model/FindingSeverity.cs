namespace Replicator.Core.Ecr.Model;

/// <summary>Values of the ECR model's <c>FindingSeverity</c> enumeration, sent and received as strings.</summary>
public static class FindingSeverity
{
    public const string Informational = "INFORMATIONAL";
    public const string Low = "LOW";
    public const string Medium = "MEDIUM";
    public const string High = "HIGH";
    public const string Critical = "CRITICAL";
    public const string Undefined = "UNDEFINED";
}
