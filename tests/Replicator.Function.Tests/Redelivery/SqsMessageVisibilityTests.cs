using Amazon.SQS;
using Amazon.SQS.Model;
using Moq;
using Replicator.Function.Redelivery;

namespace Replicator.Function.Tests.Redelivery;

public sealed class SqsMessageVisibilityTests
{
    private static readonly Uri Queue = new("https://sqs.us-east-1.amazonaws.com/123456789012/replication.fifo");

    /// <summary>
    /// The SQS client could not be built once: the next batch's backoff builds it again. Rethrowing that first failure
    /// for the life of the execution environment would leave every failed group waiting the queue's whole visibility
    /// timeout instead of its backoff.
    /// </summary>
    [Fact]
    public async Task A_client_that_failed_to_build_once_is_built_again_on_the_next_change()
    {
        var sqs = new Mock<IAmazonSQS>(MockBehavior.Strict);
        sqs.Setup(c => c.ChangeMessageVisibilityAsync(It.IsAny<ChangeMessageVisibilityRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ChangeMessageVisibilityResponse());
        var builds = 0;
        var visibility = new SqsMessageVisibility(() => ++builds == 1 ? throw new InvalidOperationException("the SQS client could not be built") : sqs.Object);

        await Assert.ThrowsAsync<InvalidOperationException>(() => visibility.ChangeAsync(Queue, "receipt-1", 30, CancellationToken.None));
        await visibility.ChangeAsync(Queue, "receipt-2", 60, CancellationToken.None);

        Assert.Equal(2, builds);
        sqs.Verify(
            c => c.ChangeMessageVisibilityAsync(
                It.Is<ChangeMessageVisibilityRequest>(r => r.QueueUrl == Queue.AbsoluteUri && r.ReceiptHandle == "receipt-2" && r.VisibilityTimeout == 60),
                It.IsAny<CancellationToken>()),
            Times.Once);
    }
}
