namespace Replicator.Core.Resilience;

/// <summary>
/// The one retry budget of the engine: ECR call retries, layer restarts and download resumes, stated here and
/// nowhere else. Call retries never nest inside one another: a call is retried by the <see cref="RetryingEcrClient"/>
/// decorator only; a layer restarts only when the destination lost its upload session or position, or the
/// downloaded bytes failed their digest check (never because a call ran out of retries: that fails the
/// destination); a download resumes after a cut, stalled or refused read, waiting the same backoff as a call
/// (<see cref="RetryBackoff"/>) unless a fresh URL is the fix. The one place two budgets meet: a download that needs
/// a fresh presigned URL asks GetDownloadUrlForLayer again, a call with its own retries, so the tries of that
/// operation multiply (<see cref="WorstCaseUrlTriesPerLayer"/>). The caller's cancellation token (the Lambda deadline)
/// bounds the total time.
/// </summary>
public sealed record RetrySettings
{
    /// <summary>Retries of one ECR call after its first try (the AWS SDKs' standard mode makes 3 tries in all).</summary>
    public int MaxRetries { get; init; } = 6;

    /// <summary>Fresh upload sessions of one layer in one destination, after the first.</summary>
    public int MaxLayerRestarts { get; init; } = 2;

    /// <summary>GETs after the first of one download (one layer attempt), whatever failed, before the download fails.</summary>
    public int MaxDownloadResumes { get; init; } = 5;

    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Throttling backs off harder: the account's request rate is the problem, not the connection.</summary>
    public TimeSpan ThrottlingBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Tries one logical ECR call can make in the worst case: its own retries, once per layer attempt.</summary>
    public int WorstCaseTriesPerCall => (1 + MaxRetries) * (1 + MaxLayerRestarts);

    /// <summary>
    /// Presigned GETs one layer can make in the worst case for each destination it is copied to (one per open, per layer
    /// attempt of that destination): a download shared by several destinations counts once for all of them, and one a
    /// destination makes on its own (a restart, a late session, another part size) counts for it alone.
    /// </summary>
    public int WorstCaseDownloadsPerLayer => (1 + MaxDownloadResumes) * (1 + MaxLayerRestarts);

    /// <summary>
    /// GetDownloadUrlForLayer tries one layer can make in the worst case for each destination it is copied to: every GET
    /// of a download may need a fresh URL (an expired or refused one), and each fetch is a call with its retries.
    /// </summary>
    public int WorstCaseUrlTriesPerLayer => (1 + MaxDownloadResumes) * (1 + MaxRetries) * (1 + MaxLayerRestarts);

    /// <summary>Upload sessions (InitiateLayerUpload calls that succeed) one layer can open in one destination.</summary>
    public int WorstCaseUploadSessionsPerLayer => 1 + MaxLayerRestarts;
}
