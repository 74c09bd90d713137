using System.Text.Json;
using Replicator.Function.Events;
using Replicator.Function.Observability;
using Replicator.Function.Processing;
using Replicator.Function.Runtime;

namespace Replicator.Function;

/// <summary>
/// The invocation edge: SQS event JSON in, partial batch response JSON out. A failure is logged here, with the
/// app's logger, and rethrown for the runtime loop to post as the invocation's error.
/// </summary>
public sealed class FunctionHandler(BatchProcessor processor, FunctionLogger logger)
{
    public async Task<byte[]> HandleAsync(InvocationRequest invocation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
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
        SQSEvent? batch;
        try
        {
            batch = JsonSerializer.Deserialize(invocation.Payload.Span, EventJsonContext.Default.SQSEvent);
        }
        catch (JsonException ex)
        {
            // Not an SQS event at all: an invocation error makes Lambda keep the whole batch.
            throw new InvalidDataException($"The invocation payload is not an SQS event: {ex.Message}", ex);
        }

        if (batch is null)
        {
            throw new InvalidDataException("The invocation payload is not an SQS event: null");
        }

        var response = await processor.ProcessAsync(batch, invocation.LambdaContext, cancellationToken);
        return JsonSerializer.SerializeToUtf8Bytes(response, EventJsonContext.Default.SQSBatchResponse);
    }
}
