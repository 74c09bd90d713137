namespace Replicator.Core.Copy;

/// <summary>Limits of one layer copy.</summary>
public sealed record BlobCopyOptions
{
    /// <summary>A read that returns nothing for this long counts as a stalled connection and is resumed.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Ranged-GET resumes of one download before the layer attempt fails.</summary>
    public int MaxDownloadResumes { get; init; } = 5;

    /// <summary>Fresh upload sessions for one layer (after UploadNotFound or a lost upload) before it fails.</summary>
    public int MaxLayerRestarts { get; init; } = 3;

    /// <summary>Accept http download URLs: only when an endpoint override points at a local ECR.</summary>
    public bool AllowInsecureDownloads { get; init; }
}
