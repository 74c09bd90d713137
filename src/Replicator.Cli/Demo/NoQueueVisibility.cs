using Replicator.Function.Redelivery;

namespace Replicator.Cli.Demo;

/// <summary>
/// The demo's events come from no queue: a redelivery it would schedule has nowhere to go, and must never reach
/// a real SQS endpoint. The function logs the refusal and reports the record failed, as it does for a real failure.
/// </summary>
internal sealed class NoQueueVisibility : IMessageVisibility
{
    public Task ChangeAsync(Uri queueUrl, string receiptHandle, int visibilityTimeoutSeconds, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("the demo has no queue to change a message's visibility in");
}
