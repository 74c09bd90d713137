namespace LocalEcr.Storage;

/// <summary>
/// ECR's ImageStatus and ImageStatusFilter values (botocore ECR model). ACTIVATING is a restore in progress: still
/// archived, not pullable, ACTIVE once the restore ends (https://docs.aws.amazon.com/AmazonECR/latest/userguide/restore-image.html).
/// </summary>
internal static class ImageStatuses
{
    public const string Active = "ACTIVE";
    public const string Archived = "ARCHIVED";
    public const string Activating = "ACTIVATING";
    public const string Any = "ANY";

    public static bool Matches(string filter, ImageRecord image) => filter == Any || filter == image.Status;
}
