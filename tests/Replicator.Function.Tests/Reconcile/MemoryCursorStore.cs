using Replicator.Function.Reconcile;

namespace Replicator.Function.Tests.Reconcile;

internal sealed class MemoryCursorStore : IReconcileCursorStore
{
    public string? Value { get; set; }

    public List<string> Saved { get; } = [];

    /// <summary>Thrown by every load when set (an SSM GetParameter throttled or refused).</summary>
    public Exception? LoadFailure { get; set; }

    public Task<string?> LoadAsync(CancellationToken cancellationToken) =>
        LoadFailure is { } failure ? Task.FromException<string?>(failure) : Task.FromResult(Value);

    /// <summary>Thrown by every save when set (an SSM PutParameter refused).</summary>
    public Exception? SaveFailure { get; set; }

    public Task SaveAsync(string value, CancellationToken cancellationToken)
    {
        // As SSM's client does: a cancelled token saves nothing.
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        if (SaveFailure is { } failure)
        {
            return Task.FromException(failure);
        }

        Value = value;
        Saved.Add(value);
        return Task.CompletedTask;
    }
}
