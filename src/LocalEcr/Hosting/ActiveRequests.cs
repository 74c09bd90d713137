namespace LocalEcr.Hosting;

/// <summary>
/// How many requests LocalEcr is handling now. A client that gives up on a call (a deadline, a cancelled copy) returns
/// at once while LocalEcr may still be committing what that call sent; a test that inspects the registry after such a
/// cancellation waits for <see cref="WhenIdleAsync"/> first, so it sees the state the cancelled calls left.
/// </summary>
internal sealed class ActiveRequests
{
    private readonly Lock _gate = new();
    private int _count;
    private TaskCompletionSource? _idle;

    public Scope Enter()
    {
        lock (_gate)
        {
            _count++;
        }

        return new Scope(this);
    }

    public Task WhenIdleAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_count == 0)
            {
                return Task.CompletedTask;
            }

            _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _idle.Task.WaitAsync(cancellationToken);
        }
    }

    private void Exit()
    {
        TaskCompletionSource? idle = null;
        lock (_gate)
        {
            if (--_count == 0)
            {
                (idle, _idle) = (_idle, null);
            }
        }

        idle?.TrySetResult();
    }

    public readonly struct Scope(ActiveRequests owner) : IDisposable
    {
        public void Dispose() => owner.Exit();
    }
}
