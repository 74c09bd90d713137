namespace Replicator.Function.Observability;

/// <summary>
/// The fields of the work the engine is doing on the current asynchronous flow: the invocation's request id, and the
/// record's message id and image while its copy runs. <see cref="EngineLogObserver"/> is built once per instance and
/// is called from deep inside the engine (a retry, a session renewal), with no request of its own; without these its
/// lines carried no requestId, so filtering the log by an invocation's request id or a message id (docs/deploy.md,
/// "Observability") left out the retries that explain why that copy was slow or failed. An <see cref="AsyncLocal{T}"/>
/// flows into every task the copy starts, and a value set inside an async method is undone when it returns, so the
/// records of a batch, copied concurrently, each keep their own.
/// </summary>
public static class EngineLogContext
{
    private static readonly AsyncLocal<LogFields?> CurrentFields = new();

    /// <summary>The fields of the current flow's invocation or record, or null outside any.</summary>
    public static LogFields? Current
    {
        get => CurrentFields.Value;
        set => CurrentFields.Value = value;
    }
}
