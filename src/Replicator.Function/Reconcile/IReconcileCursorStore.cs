namespace Replicator.Function.Reconcile;

/// <summary>Where a reconcile pass that did not fit in one run keeps its place between runs (<see cref="Core.Reconciliation.ReconcileCursor"/> as text).</summary>
public interface IReconcileCursorStore
{
    /// <summary>The stored cursor; null or <see cref="Core.Reconciliation.ReconcileCursor.StartValue"/> when a new pass starts.</summary>
    Task<string?> LoadAsync(CancellationToken cancellationToken);

    Task SaveAsync(string value, CancellationToken cancellationToken);
}
