using Replicator.Function.Reconcile;

namespace Replicator.Function.Tests.Reconcile;

internal sealed class MemoryCursorStore : IReconcileCursorStore
{
    public string? Value { get; set; }

    public List<string> Saved { get; } = [];

    public Task<string?> LoadAsync(CancellationToken cancellationToken) => Task.FromResult(Value);

    public Task SaveAsync(string value, CancellationToken cancellationToken)
    {
        Value = value;
        Saved.Add(value);
        return Task.CompletedTask;
    }
}
