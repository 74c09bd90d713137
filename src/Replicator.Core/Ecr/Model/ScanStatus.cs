namespace Replicator.Core.Ecr.Model;

/// <summary>Values of the ECR model's <c>ScanStatus</c> enumeration, sent and received as strings.</summary>
public static class ScanStatus
{
    public const string InProgress = "IN_PROGRESS";
    public const string Complete = "COMPLETE";
    public const string Failed = "FAILED";
    public const string UnsupportedImage = "UNSUPPORTED_IMAGE";
    public const string Active = "ACTIVE";
    public const string Pending = "PENDING";
    public const string ScanEligibilityExpired = "SCAN_ELIGIBILITY_EXPIRED";
    public const string FindingsUnavailable = "FINDINGS_UNAVAILABLE";
    public const string LimitExceeded = "LIMIT_EXCEEDED";
    public const string ImageArchived = "IMAGE_ARCHIVED";
}
