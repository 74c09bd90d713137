namespace Replicator.Core.Copy;

/// <summary>
/// One destination waiting for one blob: where it goes, who hears of its progress, and the task that ends
/// with the bytes uploaded there (or that destination's own error).
/// </summary>
internal sealed class BlobCopyTarget(BlobTarget target, IProgress<long>? progress)
{
    private readonly TaskCompletionSource<long> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public BlobTarget Target { get; } = target;

    public IProgress<long>? Progress { get; } = progress;

    /// <summary>Upload sessions started after the first one.</summary>
    public int Restarts { get; set; }

    /// <summary>What made the last restart necessary (a lost session or position), or null before any restart.</summary>
    public Exception? RestartCause { get; set; }

    public Task<long> Done => _done.Task;

    public void Succeed(long bytes) => _done.TrySetResult(bytes);

    public void Fail(Exception error) => _done.TrySetException(error);
}
