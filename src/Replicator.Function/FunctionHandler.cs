using System.Text.Json;
using Replicator.Function.Events;
using Replicator.Function.Observability;
using Replicator.Function.Processing;
using Replicator.Function.Reconcile;
using Replicator.Function.Runtime;

namespace Replicator.Function;

/// <summary>
/// The invocation edge: SQS event JSON in, partial batch response JSON out; or, from the reconcile schedule, an
/// EventBridge Scheduled Event in and the run's summary out. A failure is logged here, with the app's logger, and
/// rethrown for the runtime loop to post as the invocation's error.
/// </summary>
/// <param name="processor">The SQS batch path.</param>
/// <param name="logger">The app's logger.</param>
/// <param name="reconcile">The scheduled path; null when RECONCILE_QUEUE_URL is not set.</param>
public sealed class FunctionHandler(BatchProcessor processor, FunctionLogger logger, ScheduledReconcile? reconcile = null)
{
    public async Task<byte[]> HandleAsync(InvocationRequest invocation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);

        // For the lines the engine's observer writes during this invocation (retries, session renewals); undone when
        // this method returns.
        EngineLogContext.Current = new LogFields { RequestId = invocation.LambdaContext.AwsRequestId };
        try
        {
            return await ProcessAsync(invocation, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.Error($"Invocation failed: {ex.GetType().Name}: {ex.Message}", new LogFields { RequestId = invocation.LambdaContext.AwsRequestId, ErrorType = ex.GetType().Name });
            throw;
        }
    }

    private async Task<byte[]> ProcessAsync(InvocationRequest invocation, CancellationToken cancellationToken)
    {
        // The same function serves the queue and the schedule; the payload says which (an SQS event has Records).
        if (ScheduledEvent.Is(invocation.Payload.Span))
        {
            return await ReconcileAsync(invocation, cancellationToken);
        }

        SQSEvent? batch;
        try
        {
            batch = JsonSerializer.Deserialize(invocation.Payload.Span, EventJsonContext.Default.SQSEvent);
        }
        catch (JsonException ex)
        {
            // Not an SQS event at all: an invocation error makes Lambda keep the whole batch.
            throw new InvalidDataException(
                $"The invocation payload is not an SQS event: {WhereInvalid(ex)} (an SQS record's attribute values are all strings)", ex);
        }

        if (batch is null)
        {
            throw new InvalidDataException("The invocation payload is not an SQS event: null");
        }

        // The source generator leaves Records null when the payload has none ({}, which `sam local invoke` sends
        // without -e): an error that says so, not an ArgumentNullException from deep in the batch.
        if (batch.Records is null)
        {
            throw new InvalidDataException(
                "The invocation payload is not an SQS event: it has no Records (the function takes SQS batches; an ECR Image Action event is the body of an SQS record, as in events/push.json)");
        }

        var response = await processor.ProcessAsync(batch, invocation.LambdaContext, cancellationToken);
        return JsonSerializer.SerializeToUtf8Bytes(response, EventJsonContext.Default.SQSBatchResponse);
    }

    private async Task<byte[]> ReconcileAsync(InvocationRequest invocation, CancellationToken cancellationToken)
    {
        if (reconcile is null)
        {
            throw new InvalidDataException("A Scheduled Event arrived, but reconciling is off: RECONCILE_QUEUE_URL is not set");
        }

        ScheduledEvent? scheduled;
        try
        {
            scheduled = JsonSerializer.Deserialize(invocation.Payload.Span, EventJsonContext.Default.ScheduledEvent);
        }
        catch (JsonException ex)
        {
            // A hand-made event ("resources":"x"); EventBridge always sends the documented shape.
            throw new InvalidDataException($"The Scheduled Event is not of the shape EventBridge sends: {WhereInvalid(ex)}", ex);
        }

        var response = await reconcile.RunAsync(scheduled ?? throw new InvalidDataException("The Scheduled Event is null"), invocation.LambdaContext, cancellationToken);
        return JsonSerializer.SerializeToUtf8Bytes(response, EventJsonContext.Default.ReconcileResponse);
    }

    /// <summary>
    /// Where a payload broke its type, not <c>ex.Message</c>: the published function trims .NET's message texts
    /// (UseSystemResourceKeys), leaving a resource key.
    /// </summary>
    private static string WhereInvalid(JsonException ex)
    {
        var where = ex.Path is { Length: > 0 } path ? $"at {path}" : "at its start";
        var line = ex.LineNumber is { } number ? $", line {number + 1}" : string.Empty;
        return $"malformed JSON or a value of the wrong type {where}{line}";
    }
}
