using Replicator.Core.Replication;
using Replicator.Core.Resilience;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Replicator.Cli.Output;

/// <summary>
/// The engine's progress, shown per image: a live bar of bytes on a terminal while the image is copied (and one
/// overall bar counting images), and a line per finished destination, plain when redirected. The engine reports
/// bytes per destination and layer only, so the image a callback belongs to is the one whose copy runs on the current
/// async flow (<see cref="Track"/> sets it). A layer two images share is copied once and counted for the image that
/// copied it.
/// </summary>
public sealed partial class ProgressObserver : IReplicationObserver
{
    private readonly AsyncLocal<ImageProgress?> _current = new();
    private readonly CliConsole _console;
    private readonly CancellationToken _stopping;
    private readonly Lock _overallGate = new();
    private ProgressTask? _overall;
    private int _images;
    private int _completed;
    private int _notDone;

    /// <summary>Credential notices held while the live display runs, each once, written when it ends (<see cref="End"/>).</summary>
    private readonly List<string> _heldNotices = [];

    /// <summary>Marks the overall bar, whose value counts images, not bytes (<see cref="ImageBytesColumn"/>).</summary>
    private static readonly object OverallTag = new();

    /// <param name="console">Where lines go.</param>
    /// <param name="stopping">The command's stop signals: a copy cut short once it is cancelled reads as interrupted.</param>
    public ProgressObserver(CliConsole console, CancellationToken stopping)
    {
        _console = console ?? throw new ArgumentNullException(nameof(console));
        _stopping = stopping;
    }

    /// <summary>Set while a live display runs (terminal only).</summary>
    public ProgressContext? Live { get; private set; }

    /// <summary>
    /// Starts showing bars on <paramref name="live"/>: one overall bar counting the images selected so far (a sync
    /// lists repositories as it goes, <see cref="Selected"/>), and one per image while it is copied. An image's bar is
    /// taken off once the image is done (its lines and the summary say how it ended), so the display holds the overall
    /// bar and at most one bar per image copied at once (--parallel), however many images the run has: Spectre redraws
    /// every task it holds on each refresh, and a bar per image of a large registry kept the memory and a core busy
    /// redrawing bars nobody could see.
    /// </summary>
    public void Begin(ProgressContext live)
    {
        ArgumentNullException.ThrowIfNull(live);
        lock (_overallGate)
        {
            _completed = 0;
            _notDone = 0;
            _overall = live.AddTask(OverallDescription(0, _images), maxValue: Math.Max(_images, 1));
            _overall.Tag = OverallTag;
            Live = live;
        }
    }

    /// <summary>A repository's <paramref name="images"/> selected: the overall bar's total grows with the listing.</summary>
    public void Selected(int images)
    {
        lock (_overallGate)
        {
            _images += images;
            if (_overall is { } overall)
            {
                overall.MaxValue = _images;
                overall.Description = OverallDescription(_completed, _images);
            }
        }
    }

    /// <summary>
    /// Live bars on <paramref name="ansi"/> (a terminal) for as long as <paramref name="run"/> runs. The display is
    /// ended (<see cref="End"/>, which writes the credential notices held meanwhile) only once Spectre has drawn it for
    /// the last time: that redraw moves the cursor up over the rows it drew before and writes them again, so a notice
    /// written on stderr before it, to the same terminal, was drawn over by the bars and never seen.
    /// </summary>
    public async Task ShowAsync(IAnsiConsole ansi, Func<Task> run)
    {
        ArgumentNullException.ThrowIfNull(ansi);
        ArgumentNullException.ThrowIfNull(run);
        try
        {
            await ansi.Progress()
                .AutoClear(false)
                .Columns(Columns())
                .StartAsync(async context =>
                {
                    Begin(context);
                    await run();
                });
        }
        finally
        {
            End();
        }
    }

    /// <summary>
    /// The live display has ended: lines and notices are written as when redirected, and the credential notices held
    /// while it ran are written now, each once.
    /// </summary>
    public void End()
    {
        string[] held;
        lock (_overallGate)
        {
            Live = null;
            _overall = null;
            held = [.. _heldNotices];
            _heldNotices.Clear();
        }

        foreach (var notice in held)
        {
            _console.Notice(notice);
        }
    }

    /// <summary>Attributes the engine's callbacks on this async flow to <paramref name="label"/>, a request for <paramref name="digest"/> under <paramref name="tag"/>.</summary>
    public ImageProgress Track(string label, string? tag, string? digest)
    {
        var live = Live;
        var progress = live is null
            ? new ImageProgress(label, tag, digest, null)
            : new ImageProgress(label, tag, digest, live.AddTask(Markup.Escape(label), maxValue: 1), (task, finished) => Completed(live, task, finished));
        _current.Value = progress;
        return progress;
    }

    /// <summary>
    /// One image has come back: its bar leaves the display and the overall bar counts it, and counts it apart when it
    /// was not done (<paramref name="finished"/> false: failed, interrupted, tag moved).
    /// </summary>
    private void Completed(ProgressContext live, ProgressTask task, bool finished)
    {
        live.RemoveTask(task);
        lock (_overallGate)
        {
            if (_overall is { } overall)
            {
                _completed++;
                _notDone += finished ? 0 : 1;
                overall.Value = _completed;
                overall.Description = OverallDescription(_completed, _images);
            }
        }
    }

    /// <summary>
    /// The overall bar's text: the images that came back, how many of them were not done, and how many credential
    /// notices wait for the display's end. The bar is left on the screen when it ends, full once every image came back
    /// whatever each one's outcome: without the count apart, a run whose every image failed or was cut short by Ctrl+C
    /// ended on "4 of 4 image(s) 100%" above a summary of 0 copied.
    /// </summary>
    private string OverallDescription(int completed, int images) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{completed} of {images} image(s)")
        + (_notDone == 0 ? string.Empty : string.Create(System.Globalization.CultureInfo.InvariantCulture, $" [red]({_notDone} not done)[/]"))
        + (_heldNotices.Count == 0 ? string.Empty : string.Create(System.Globalization.CultureInfo.InvariantCulture, $" [yellow]({_heldNotices.Count} credential warning(s), listed at the end)[/]"));

    public void PlanReady(ReplicationDestination destination, string digest, int blobsToCopy, long bytesToCopy) =>
        _current.Value?.AddTotal(bytesToCopy);

    public void BytesCopied(ReplicationDestination destination, string layerDigest, long bytes) =>
        _current.Value?.Add(bytes);

    /// <summary>Live bars run on the terminal stderr writes to, so a line there would tear them.</summary>
    private bool BarsShareStderr => Live is not null && !_console.ErrorRedirected;

    /// <summary>
    /// A retry: one notice, except while live bars run on the terminal stderr shares with them (a line there would tear
    /// them, and retries are many and pass). With stderr redirected (<c>2&gt; sync.log</c>) nothing is torn, and the log
    /// the operator kept for the diagnostics got none of them while the bars ran on stdout.
    /// </summary>
    public void Retrying(EcrRetry retry)
    {
        if (!BarsShareStderr)
        {
            _console.Notice($"retrying {retry.Operation} in {retry.Target} after {retry.ErrorCode} (retry {retry.Retry}, in {retry.Delay.TotalSeconds:0.0} s)");
        }
    }

    public void CredentialsRenewalFailed(string roleArn, string errorCode, DateTimeOffset expiration) =>
        CredentialsNotice($"could not renew the session of {roleArn} ({errorCode}); the current one works until {expiration:u}, retrying shortly");

    public void CredentialsRereadFailed(string parameterName, string errorCode, DateTimeOffset keptUntil) =>
        CredentialsNotice($"could not read SSM parameter {parameterName} again ({errorCode}); the keys last read stay in use until {keptUntil:u}, retrying shortly");

    /// <summary>
    /// A destination's credentials could not be refreshed: a notice at once when no live display runs, or when stderr is
    /// redirected (<see cref="Retrying"/>). While one runs on the terminal stderr writes to,
    /// a line on stderr would tear the bars (retries are left out there for that reason, being many and passing), but
    /// this one warns that a destination may stop working when its current keys end: the overall bar says that
    /// warnings wait, and each distinct one is written when the display ends (<see cref="End"/>).
    /// </summary>
    private void CredentialsNotice(string notice)
    {
        lock (_overallGate)
        {
            if (BarsShareStderr)
            {
                if (!_heldNotices.Contains(notice))
                {
                    _heldNotices.Add(notice);
                    if (_overall is { } overall)
                    {
                        overall.Description = OverallDescription(_completed, _images);
                    }
                }

                return;
            }
        }

        _console.Notice(notice);
    }

    public void DestinationDone(DestinationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);

        // Written as each destination finishes, on a terminal too (above the bars), so that the run's results are on
        // the screen or in the file as they happen, and none has to be held for a table at the end.
        // A referrer's subject is copied first on the same flow, untagged: the requested tag is only the requested image's.
        var image = _current.Value;
        var tag = image is not null && (image.Digest is null || string.Equals(result.Digest, image.Digest, StringComparison.Ordinal)) ? image.Tag : null;
        var text = Outcomes.Describe(result, tag, _stopping.IsCancellationRequested);
        // An image found up to date is its digest alone: its counts ("0 layers copied, 0 already there, 0 B": nothing
        // was checked, since the destination held the image) read as if the destination held nothing of it.
        var counts = result.Outcome == ReplicationOutcome.UpToDate
            ? Format.ShortDigest(result.Digest)
            : $"{Format.ShortDigest(result.Digest)}, {result.LayersCopied} layers copied, {result.LayersSkipped} already there, {Format.Bytes(result.BytesCopied)}";
        var detail = result.Outcome == ReplicationOutcome.Failed ? text.Detail
            : text.Detail.Length == 0 ? counts
            : $"{counts}; {text.Detail}";
        _console.Outcome(text, $"{image?.Label ?? "image"} -> {result.Destination}  {detail}");
    }
}
