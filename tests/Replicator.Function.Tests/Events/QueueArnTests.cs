using Replicator.Function.Events;

namespace Replicator.Function.Tests.Events;

/// <summary>
/// QueueArn reads a record's eventSourceARN. A queue name is 1 to 80 characters, a FIFO queue's ".fifo" included
/// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html).
/// </summary>
public class QueueArnTests
{
    [Fact]
    public void A_fifo_queue_name_of_80_characters_is_read_and_one_of_81_is_not()
    {
        var name = new string('q', 75) + ".fifo";

        var parsed = QueueArn.Parse($"arn:aws:sqs:eu-west-1:123456789012:{name}");

        Assert.Equal(new QueueArn("aws", "eu-west-1", "123456789012", name), parsed);
        Assert.Null(QueueArn.Parse($"arn:aws:sqs:eu-west-1:123456789012:q{name}"));
    }
}
