using System.Text.Json;
using Replicator.Function.Events;
using Replicator.Function.Processing;
using Replicator.Function.Runtime;

namespace Replicator.Function;

/// <summary>The invocation edge: SQS event JSON in, partial batch response JSON out.</summary>
public sealed class FunctionHandler(BatchProcessor processor)
{
    public async Task<byte[]> HandleAsync(InvocationRequest invocation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
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
