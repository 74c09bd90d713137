namespace Replicator.Core.Ecr.Http;

/// <summary>
/// A linked token whose timeout runs on a <see cref="TimeProvider"/> (a linked source's CancelAfter cannot), and can
/// be restarted by whoever makes progress (<see cref="Rearm"/>): a download's read, an ECR request's body.
/// </summary>
internal readonly struct StallTimer : IDisposable
{
    private readonly CancellationTokenSource _timeout;
    private readonly CancellationTokenRegistration _caller;
    private readonly TimeSpan _after;

    /// <param name="after">When the token fires unless re-armed; <see cref="Timeout.InfiniteTimeSpan"/>: never.</param>
    public StallTimer(TimeSpan after, TimeProvider time, CancellationToken caller)
    {
        _after = after;
        _timeout = new CancellationTokenSource(after, time);
        _caller = caller.UnsafeRegister(static timeout => ((CancellationTokenSource)timeout!).Cancel(), _timeout);
    }

    public CancellationToken Token => _timeout.Token;

    /// <summary>
    /// Starts the timeout again from now (on the same clock). Nothing once it fired; nothing once disposed either:
    /// SocketsHttpHandler may still be writing a request body after the response came and the call returned.
    /// </summary>
    public void Rearm()
    {
        try
        {
            _timeout.CancelAfter(_after);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        // The registration first: once disposed, its callback cannot run on the disposed source.
        _caller.Dispose();
        _timeout.Dispose();
    }
}
