using Replicator.Core.Replication;
using Replicator.Core.Resilience;
using Spectre.Console;

namespace Replicator.Cli.Output;

/// <summary>
/// The engine's progress, shown per image: a live bar of bytes on a terminal, a plain line per finished destination
/// when redirected. The engine reports bytes per destination and layer only, so the image a callback belongs to is
/// the one whose copy runs on the current async flow (<see cref="Track"/> sets it). A layer two images share is
/// copied once and counted for the image that copied it.
/// </summary>
public sealed class ProgressObserver : IReplicationObserver
{
    private readonly AsyncLocal<ImageProgress?> _current = new();
    private readonly CliConsole _console;
    private readonly CancellationToken _stopping;

    /// <param name="console">Where lines go.</param>
    /// <param name="stopping">The command's stop signals: a copy cut short once it is cancelled reads as interrupted.</param>
    public ProgressObserver(CliConsole console, CancellationToken stopping)
    {
        _console = console ?? throw new ArgumentNullException(nameof(console));
        _stopping = stopping;
    }

    /// <summary>Set while a live display runs (terminal only).</summary>
    public ProgressContext? Live { get; set; }

    /// <summary>Attributes the engine's callbacks on this async flow to <paramref name="label"/>, a request for <paramref name="digest"/> under <paramref name="tag"/>.</summary>
    public ImageProgress Track(string label, string? tag, string? digest)
    {
        var progress = new ImageProgress(label, tag, digest, Live?.AddTask(Markup.Escape(label), maxValue: 1));
        _current.Value = progress;
        return progress;
    }

    public void PlanReady(ReplicationDestination destination, string digest, int blobsToCopy, long bytesToCopy) =>
        _current.Value?.AddTotal(bytesToCopy);

    public void BytesCopied(ReplicationDestination destination, string layerDigest, long bytes) =>
        _current.Value?.Add(bytes);

    public void Retrying(EcrRetry retry)
    {
        if (Live is null)
        {
            _console.Notice($"retrying {retry.Operation} in {retry.Target} after {retry.ErrorCode} (retry {retry.Retry}, in {retry.Delay.TotalSeconds:0.0} s)");
        }
    }

    public void CredentialsRenewalFailed(string roleArn, string errorCode, DateTimeOffset expiration)
    {
        if (Live is null)
        {
            _console.Notice($"could not renew the session of {roleArn} ({errorCode}); the current one works until {expiration:u}, retrying shortly");
        }
    }

    public void CredentialsRereadFailed(string parameterName, string errorCode, DateTimeOffset keptUntil)
    {
        if (Live is null)
        {
            _console.Notice($"could not read SSM parameter {parameterName} again ({errorCode}); the keys last read stay in use until {keptUntil:u}, retrying shortly");
        }
    }

    public void DestinationDone(DestinationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (Live is not null)
        {
            return;
        }

        // A referrer's subject is copied first on the same flow, untagged: the requested tag is only the requested image's.
        var image = _current.Value;
        var tag = image is not null && (image.Digest is null || string.Equals(result.Digest, image.Digest, StringComparison.Ordinal)) ? image.Tag : null;
        var text = Outcomes.Describe(result, tag, _stopping.IsCancellationRequested);
        var counts = $"{Format.ShortDigest(result.Digest)}, {result.LayersCopied} layers copied, {result.LayersSkipped} already there, {Format.Bytes(result.BytesCopied)}";
        var detail = result.Outcome == ReplicationOutcome.Failed ? text.Detail
            : text.Detail.Length == 0 ? counts
            : $"{counts}; {text.Detail}";
        _console.Line($"{text.Word,-10} {image?.Label ?? "image"} -> {result.Destination}  {detail}");
    }
}
