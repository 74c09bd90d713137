namespace LocalEcr.Storage;

/// <summary>
/// ECR's ImageStatus and ImageStatusFilter values (botocore ECR model). LocalEcr restores an image at once, so it never
/// reports ACTIVATING, which real ECR shows while a restore runs.
/// </summary>
internal static class ImageStatuses
{
    public const string Active = "ACTIVE";
    public const string Archived = "ARCHIVED";
    public const string Activating = "ACTIVATING";
    public const string Any = "ANY";

    public static bool Matches(string filter, ImageRecord image) => filter == Any || filter == image.Status;
}
