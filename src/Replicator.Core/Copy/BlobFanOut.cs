namespace Replicator.Core.Copy;

/// <summary>
/// The blobs of one request, gathered from its destinations before any is downloaded, so that each blob is read
/// once and streamed into all the destinations that lack it. Each destination registers the blobs it needs and then
/// arrives (also when it fails or needs nothing). The copies start when the last one has arrived, or a grace period
/// (<see cref="BlobCopyOptions.FanOutGrace"/>, on the engine's clock) after the first one with blobs to copy,
/// whichever comes first: a degraded destination region, slow to read its state, never holds the others back. A blob
/// registered after that copies on its own, with its own download. Each download takes one of the engine's slots
/// (<see cref="CopySlots"/>) whatever the number of destinations it feeds. The wait costs nothing in ECR calls:
/// every destination reads its state first either way.
/// </summary>
internal sealed class BlobFanOut
{
    private readonly BlobSource _source;
    private readonly BlobCopier _copier;
    private readonly CopySlots _slots;
    private readonly TimeProvider _time;
    private readonly TimeSpan _grace;
    private readonly CancellationToken _cancellationToken;
    private readonly int _destinations;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (BlobToCopy Blob, List<BlobCopyTarget> Targets)> _blobs = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private int _waiting;
    private bool _started;
    private bool _graceArmed;
    private ITimer? _graceTimer;

    public BlobFanOut(BlobSource source, BlobCopier copier, CopySlots slots, int destinations, TimeProvider time, TimeSpan grace, CancellationToken cancellationToken)
    {
        _source = source;
        _copier = copier;
        _slots = slots;
        _waiting = destinations;
        _destinations = destinations;
        _time = time;
        _grace = grace;
        _cancellationToken = cancellationToken;
    }

    /// <summary>The blobs' source (its client, registry and repository).</summary>
    public BlobSource Source => _source;

    /// <summary>Registers one destination's need of a blob; the task ends when it is in that destination.</summary>
    public Task<long> Add(BlobTarget target, BlobToCopy blob, IProgress<long>? progress)
    {
        var waiter = new BlobCopyTarget(target, progress);
        var late = false;
        var arm = false;
        lock (_gate)
        {
            if (_started)
            {
                late = true;
            }
            else
            {
                if (!_blobs.TryGetValue(blob.Digest, out var entry))
                {
                    entry = (blob, []);
                    _blobs.Add(blob.Digest, entry);
                    _order.Add(blob.Digest);
                }

                entry.Targets.Add(waiter);

                // A destination may register a blob after it arrived: the joined copy of another request, cancelled,
                // comes back here (InFlightCopies). If every destination that arrived so far had nothing to copy, the
                // grace is not running yet, and without it this blob would wait for the slowest destination.
                arm = ArmGrace();
            }
        }

        if (late)
        {
            // The shared copies have started without this destination, which copies the blob on its own.
            _ = CopyAsync(blob, [waiter]);
        }
        else if (arm)
        {
            StartGraceTimer();
        }

        return waiter.Done;
    }

    /// <summary>One destination has registered everything it needs (or failed before). Call exactly once per destination.</summary>
    public void Arrive()
    {
        bool last;
        var arm = false;
        lock (_gate)
        {
            if (_waiting == 0)
            {
                throw new InvalidOperationException("more destinations arrived than the request has");
            }

            last = --_waiting == 0;
            arm = !last && ArmGrace();
        }

        if (last)
        {
            Start();
        }
        else if (arm)
        {
            StartGraceTimer();
        }
    }

    /// <summary>
    /// Under <see cref="_gate"/>: true, once, when the grace must start now. It runs from the first moment a destination
    /// that arrived has something to copy: one that failed at once or needs nothing must not shorten the wait for the
    /// others that do.
    /// </summary>
    private bool ArmGrace()
    {
        var arm = !_started && !_graceArmed && _blobs.Count > 0 && _waiting < _destinations && _grace != Timeout.InfiniteTimeSpan;
        _graceArmed |= arm;
        return arm;
    }

    private void StartGraceTimer()
    {
        // Created outside the lock: a timer may fire on another thread at once, and Start takes the lock.
        var timer = _time.CreateTimer(static self => ((BlobFanOut)self!).Start(), this, _grace, Timeout.InfiniteTimeSpan);
        lock (_gate)
        {
            if (!_started)
            {
                _graceTimer = timer;
                return;
            }
        }

        timer.Dispose();
    }

    /// <summary>Starts the copies of every blob registered so far, once: at the last arrival or when the grace ends.</summary>
    private void Start()
    {
        lock (_gate)
        {
            if (_started)
            {
                return;
            }

            _started = true;
            _graceTimer?.Dispose();
            _graceTimer = null;
        }

        // Nothing is added to these once started (a late blob copies on its own), so they are read without the lock.
        foreach (var digest in _order)
        {
            var (blob, targets) = _blobs[digest];
            _ = CopyAsync(blob, targets);
        }
    }

    private async Task CopyAsync(BlobToCopy blob, List<BlobCopyTarget> targets)
    {
        try
        {
            // One slot per download, however many destinations it feeds: its parts are shared, so a destination adds
            // an upload stream but no part buffers (the SharedPartPool bounds those across blobs).
            await _copier.CopyAsync(_source, blob, targets, _slots, _cancellationToken);
        }
        catch (Exception ex)
        {
            // A bug: every waiting destination hears of it.
            foreach (var target in targets)
            {
                target.Fail(ex);
            }
        }
    }
}
