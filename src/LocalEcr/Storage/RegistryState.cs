namespace LocalEcr.Storage;

/// <summary>Everything one account holds in one region. Every member is guarded by <see cref="Sync"/>.</summary>
internal sealed class RegistryState(string accountId, string region)
{
    public string AccountId { get; } = accountId;

    public string Region { get; } = region;

    public Lock Sync { get; } = new();

    public SortedDictionary<string, Repository> Repositories { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, UploadSession> Uploads { get; } = new(StringComparer.Ordinal);

    /// <summary>PutSigningConfiguration's rules; null when the registry has no signing configuration.</summary>
    public IReadOnlyList<SigningRule>? SigningRules { get; set; }

    /// <summary>Signatures managed signing is still making (<see cref="ManagedSigning"/>).</summary>
    public List<SigningJob> SigningJobs { get; } = [];

    /// <summary>
    /// Ends what the server's clock has ended by <paramref name="now"/> (restores, signings), seen by the first call after
    /// that moment: every ECR call runs it first, so it takes the lock once for both (Lock is reentrant).
    /// </summary>
    public void Settle(BlobStore blobs, DateTimeOffset now)
    {
        lock (Sync)
        {
            FinishRestores(now);
            FinishSigning(blobs, now);
        }
    }

    /// <summary>Stores every signature due at <paramref name="now"/>, or every one when null. Takes the lock itself.</summary>
    public void FinishSigning(BlobStore blobs, DateTimeOffset? now)
    {
        lock (Sync)
        {
            if (SigningJobs.Count > 0)
            {
                ManagedSigning.Finish(this, blobs, now);
            }
        }
    }

    /// <summary>Images restored from the archive and not yet ACTIVE (ACTIVATING).</summary>
    public HashSet<ImageRecord> Restoring { get; } = [];

    /// <summary>
    /// Makes ACTIVE every image whose restore has ended at <paramref name="now"/>, or every one when null. Takes the
    /// lock itself. An image pushed again or deleted meanwhile is only dropped from the set.
    /// </summary>
    public void FinishRestores(DateTimeOffset? now)
    {
        lock (Sync)
        {
            if (Restoring.Count == 0)
            {
                return;
            }

            foreach (var image in Restoring.ToList())
            {
                if (image.Status != ImageStatuses.Activating)
                {
                    Restoring.Remove(image);
                }
                else if (now is null || now >= image.RestoredAt)
                {
                    image.Activate();
                    Restoring.Remove(image);
                }
            }
        }
    }
}
