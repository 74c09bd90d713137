namespace Replicator.Core.Copy;

/// <summary>
/// The blobs of one request, gathered from every destination before any is downloaded, so that each blob is
/// read once and streamed into all the destinations that lack it. Each destination registers the blobs it
/// needs and then arrives (also when it fails or needs nothing); when the last one has arrived, the copies
/// start, each taking one of the engine's slots (<see cref="CopySlots"/>) whatever the number of destinations it
/// feeds. The wait costs nothing in ECR calls: every destination reads its state first either way.
/// </summary>
internal sealed class BlobFanOut
{
    private readonly BlobSource _source;
    private readonly BlobCopier _copier;
    private readonly CopySlots _slots;
    private readonly CancellationToken _cancellationToken;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (BlobToCopy Blob, List<BlobCopyTarget> Targets)> _blobs = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private int _waiting;

    public BlobFanOut(BlobSource source, BlobCopier copier, CopySlots slots, int destinations, CancellationToken cancellationToken)
    {
        _source = source;
        _copier = copier;
        _slots = slots;
        _waiting = destinations;
        _cancellationToken = cancellationToken;
    }

    /// <summary>The blobs' source (its client, registry and repository).</summary>
    public BlobSource Source => _source;

    /// <summary>Registers one destination's need of a blob; the task ends when it is in that destination.</summary>
    public Task<long> Add(BlobTarget target, BlobToCopy blob, IProgress<long>? progress)
    {
        var waiter = new BlobCopyTarget(target, progress);
        lock (_gate)
        {
            if (_waiting == 0)
            {
                throw new InvalidOperationException("every destination has arrived; the copies have started");
            }

            if (!_blobs.TryGetValue(blob.Digest, out var entry))
            {
                entry = (blob, []);
                _blobs.Add(blob.Digest, entry);
                _order.Add(blob.Digest);
            }

            entry.Targets.Add(waiter);
        }

        return waiter.Done;
    }

    /// <summary>One destination has registered everything it needs (or failed before). Call exactly once per destination.</summary>
    public void Arrive()
    {
        lock (_gate)
        {
            if (_waiting == 0)
            {
                throw new InvalidOperationException("more destinations arrived than the request has");
            }

            if (--_waiting > 0)
            {
                return;
            }
        }

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
            // One slot per blob, however many destinations it feeds: its parts are shared, so a destination adds
            // an upload stream but no part buffers (the SharedPartPool bounds those across blobs).
            using (await _slots.TakeAsync(1, _cancellationToken))
            {
                await _copier.CopyAsync(_source, blob, targets, _cancellationToken);
            }
        }
        catch (Exception ex)
        {
            // Cancelled while waiting for a slot, or a bug: every waiting destination hears of it.
            foreach (var target in targets)
            {
                target.Fail(ex);
            }
        }
    }
}
