namespace LocalEcr.Storage;

/// <summary>One stored manifest of a repository, keyed by its digest.</summary>
internal sealed class ImageRecord
{
    public required string Digest { get; init; }

    /// <summary>The exact bytes received by PutImage (UTF-8 of the imageManifest string).</summary>
    public required byte[] Manifest { get; init; }

    public required ManifestInfo Info { get; init; }

    public required DateTimeOffset PushedAt { get; set; }

    public SortedSet<string> Tags { get; } = new(StringComparer.Ordinal);

    /// <summary>ECR's <c>imageStatus</c>: ACTIVE, or ARCHIVED after UpdateImageStorageClass to ARCHIVE (then it cannot be pulled).</summary>
    public string Status { get; set; } = ImageStatuses.Active;

    public bool IsArchived => Status == ImageStatuses.Archived;

    /// <summary>Insertion sequence, so listings have a stable order.</summary>
    public long Sequence { get; init; }
}
