using Replicator.Function.Redelivery;

namespace Replicator.Function.Tests.Redelivery;

public sealed class QueueUrlsTests
{
    [Theory]
    [InlineData("arn:aws:sqs:us-east-1:123456789012:ecr-replicator.fifo", "https://sqs.us-east-1.amazonaws.com/123456789012/ecr-replicator.fifo")]
    [InlineData("arn:aws-cn:sqs:cn-north-1:123456789012:q.fifo", "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q.fifo")]
    [InlineData("arn:aws-us-gov:sqs:us-gov-west-1:123456789012:q.fifo", "https://sqs.us-gov-west-1.amazonaws.com/123456789012/q.fifo")]
    [InlineData("arn:aws-eusc:sqs:eusc-de-east-1:123456789012:q.fifo", "https://sqs.eusc-de-east-1.amazonaws.eu/123456789012/q.fifo")]
    [InlineData("arn:aws-iso-b:sqs:us-isob-east-1:123456789012:q", "https://sqs.us-isob-east-1.sc2s.sgov.gov/123456789012/q")]
    public void The_queue_url_follows_the_arn_and_its_partition(string arn, string url) =>
        Assert.Equal(new Uri(url), QueueUrls.FromArn(arn, null));

    [Fact]
    public void An_endpoint_override_keeps_the_account_and_queue_path() =>
        Assert.Equal(new Uri("http://127.0.0.1:4566/123456789012/q.fifo"), QueueUrls.FromArn("arn:aws:sqs:us-east-1:123456789012:q.fifo", new Uri("http://127.0.0.1:4566")));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("arn:aws:sns:us-east-1:123456789012:topic")]
    [InlineData("arn:aws:sqs:us-east-1:123456789012")]
    [InlineData("arn:aws:sqs:us-east-1:12345:q")]
    [InlineData("arn:aws:sqs:us-east-1:123456789012:q/../x")]
    [InlineData("arn:aws-cn:sqs:us-east-1:123456789012:q")]
    public void Anything_else_has_no_url(string? arn) => Assert.Null(QueueUrls.FromArn(arn, null));
}
