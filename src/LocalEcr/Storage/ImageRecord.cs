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

    /// <summary>
    /// ECR's <c>imageStatus</c>: ACTIVE; ARCHIVED after UpdateImageStorageClass to ARCHIVE; ACTIVATING from a restore
    /// (STANDARD) until <see cref="RestoredAt"/>. Only an ACTIVE image can be pulled.
    /// </summary>
    public string Status { get; private set; } = ImageStatuses.Active;

    /// <summary>When a restore in progress ends (the image turns ACTIVE); null unless ACTIVATING.</summary>
    public DateTimeOffset? RestoredAt { get; private set; }

    public bool IsActive => Status == ImageStatuses.Active;

    /// <summary>Managed signing's status of this image per signing profile (<see cref="ManagedSigning"/>); empty when no rule matched its push.</summary>
    public SortedDictionary<string, string> SigningStatuses { get; } = new(StringComparer.Ordinal);

    /// <summary>Insertion sequence, so listings have a stable order.</summary>
    public long Sequence { get; init; }

    public void Archive()
    {
        Status = ImageStatuses.Archived;
        RestoredAt = null;
    }

    public void StartRestore(DateTimeOffset restoredAt)
    {
        Status = ImageStatuses.Activating;
        RestoredAt = restoredAt;
    }

    public void Activate()
    {
        Status = ImageStatuses.Active;
        RestoredAt = null;
    }
}
