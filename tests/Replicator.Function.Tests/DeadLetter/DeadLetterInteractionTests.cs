using Moq;
using Replicator.Function.DeadLetter;
using Replicator.Function.Processing;
using Replicator.Function.Tests.Support;
using E = Replicator.Function.Tests.Support.Events;

namespace Replicator.Function.Tests.DeadLetter;

/// <summary>
/// The batch processor's conversation with the dead-letter queue, stated as a strict mock: exactly one send per
/// poison message, carrying its id and error type, and no send for a good record.
/// </summary>
public class DeadLetterInteractionTests
{
    [Fact]
    public async Task Each_poison_message_is_sent_once_and_a_good_record_is_never_sent()
    {
        var harness = new Harness();
        var queue = new Mock<IDeadLetterQueue>(MockBehavior.Strict);
        queue.Setup(q => q.SendAsync(It.IsAny<DeadLetterMessage>(), It.IsAny<CancellationToken>())).Returns(Task.CompletedTask);
        var processor = new BatchProcessor(harness.Handler, queue.Object, harness.Logger, new BatchProcessorOptions());
        var batch = E.Batch(E.Record("1", "not json {", "g1"), E.Record("2", E.Body(tag: "v2"), "g1"), E.Record("3", "[]", "g2"));

        var response = await processor.ProcessAsync(batch, harness.Context(), CancellationToken.None);

        Assert.Empty(response.BatchItemFailures);
        queue.Verify(q => q.SendAsync(It.Is<DeadLetterMessage>(m => m.DeduplicationId == "1" && m.MessageGroupId == "g1" && m.ErrorType == "InvalidEvent"), It.IsAny<CancellationToken>()), Times.Once);
        queue.Verify(q => q.SendAsync(It.Is<DeadLetterMessage>(m => m.DeduplicationId == "3" && m.MessageGroupId == "g2"), It.IsAny<CancellationToken>()), Times.Once);
        queue.VerifyNoOtherCalls();
    }
}
