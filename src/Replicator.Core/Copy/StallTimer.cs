namespace Replicator.Core.Copy;

/// <summary>A linked token whose timeout runs on a <see cref="TimeProvider"/> (a linked source's CancelAfter cannot).</summary>
internal readonly struct StallTimer : IDisposable
{
    private readonly CancellationTokenSource _timeout;
    private readonly CancellationTokenRegistration _caller;

    public StallTimer(TimeSpan after, TimeProvider time, CancellationToken caller)
    {
        _timeout = new CancellationTokenSource(after, time);
        _caller = caller.UnsafeRegister(static timeout => ((CancellationTokenSource)timeout!).Cancel(), _timeout);
    }

    public CancellationToken Token => _timeout.Token;

    public void Dispose()
    {
        // The registration first: once disposed, its callback cannot run on the disposed source.
        _caller.Dispose();
        _timeout.Dispose();
    }
}
