using System.Net;
using Amazon.Runtime;
using Amazon.SQS;
using Moq;
using Replicator.Function.DeadLetter;
using Replicator.Function.Enqueue;
using Replicator.Function.Tests.Support;
using Replicator.Testing;

namespace Replicator.Function.Tests.DeadLetter;

/// <summary>The real AWSSDK.SQS client against a local SQS endpoint.</summary>
public sealed class SqsDeadLetterQueueTests : IAsyncLifetime
{
    private FakeSqsServer _sqs = null!;

    public async Task InitializeAsync() => _sqs = await FakeSqsServer.StartAsync();

    public async Task DisposeAsync() => await _sqs.DisposeAsync();

    private AmazonSQSClient Client() => new(
        new BasicAWSCredentials("local", "local"),
        new AmazonSQSConfig { ServiceURL = _sqs.Endpoint.AbsoluteUri, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });

    [Fact]
    public async Task Sends_body_group_deduplication_id_and_error_attributes_to_a_fifo_queue()
    {
        using var client = Client();
        var queue = new SqsDeadLetterQueue(client, new Uri(_sqs.Endpoint, "/000000000000/dlq.fifo"));

        await queue.SendAsync(new DeadLetterMessage("{\"a\":1}", "group-1", "message-1", "image-digest: invalid", "InvalidEvent"), CancellationToken.None);

        var (target, _, _, body) = Assert.Single(_sqs.Requests);
        Assert.Equal("AmazonSQS.SendMessage", target);
        Assert.EndsWith("/000000000000/dlq.fifo", body.GetProperty("QueueUrl").GetString(), StringComparison.Ordinal);
        Assert.Equal("{\"a\":1}", body.GetProperty("MessageBody").GetString());
        Assert.Equal("group-1", body.GetProperty("MessageGroupId").GetString());
        Assert.Equal("message-1", body.GetProperty("MessageDeduplicationId").GetString());
        var attributes = body.GetProperty("MessageAttributes");
        Assert.Equal("image-digest: invalid", attributes.GetProperty("ReplicatorError").GetProperty("StringValue").GetString());
        Assert.Equal("String", attributes.GetProperty("ReplicatorError").GetProperty("DataType").GetString());
        Assert.Equal("InvalidEvent", attributes.GetProperty("ReplicatorErrorType").GetProperty("StringValue").GetString());
    }

    [Fact]
    public async Task The_sender_attribute_is_carried_over_and_an_unmarked_message_gets_none()
    {
        using var client = Client();
        var queue = new SqsDeadLetterQueue(client, new Uri(_sqs.Endpoint, "/000000000000/dlq.fifo"));

        await queue.SendAsync(new DeadLetterMessage("x", "g", "marked", "r", "t", SenderAttribute.Reconciler), CancellationToken.None);
        await queue.SendAsync(new DeadLetterMessage("x", "g", "pushed", "r", "t"), CancellationToken.None);
        await queue.SendAsync(new DeadLetterMessage("x", "g", "empty", "r", "t", string.Empty), CancellationToken.None);

        var requests = _sqs.Requests.ToList();
        Assert.Equal(3, requests.Count);
        var sender = requests[0].Body.GetProperty("MessageAttributes").GetProperty(SenderAttribute.Name);
        Assert.Equal(("String", SenderAttribute.Reconciler), (sender.GetProperty("DataType").GetString(), sender.GetProperty("StringValue").GetString()));
        Assert.All(requests.Skip(1), r => Assert.False(r.Body.GetProperty("MessageAttributes").TryGetProperty(SenderAttribute.Name, out _)));
    }

    [Fact]
    public async Task A_sender_value_sqs_would_refuse_is_cleaned_and_cut_as_the_reason_is()
    {
        using var client = Client();
        var queue = new SqsDeadLetterQueue(client, new Uri(_sqs.Endpoint, "/000000000000/dlq.fifo"));

        await queue.SendAsync(new DeadLetterMessage("x", "g", "m", "r", "t", "sync\u0001" + new string('s', 100)), CancellationToken.None);

        var value = Assert.Single(_sqs.Requests).Body.GetProperty("MessageAttributes").GetProperty(SenderAttribute.Name).GetProperty("StringValue").GetString()!;
        Assert.StartsWith("sync\uFFFD", value, StringComparison.Ordinal);
        Assert.Equal(SqsDeadLetterQueue.MaxSenderLength, value.Length);
    }

    /// <summary>
    /// A body near SQS's limit still fits; the reasons beside it would push the message over, and SQS would refuse the
    /// send on every receive. The body arrives whole: the reason is cut to the room left, or left out with none.
    /// </summary>
    [Theory]
    [InlineData(1000, true)]
    [InlineData(100, false)]
    public async Task A_body_near_the_size_limit_goes_whole_and_its_reason_gives_way(int spare, bool reasonKept)
    {
        using var client = Client();
        var queue = new SqsDeadLetterQueue(client, new Uri(_sqs.Endpoint, "/000000000000/dlq.fifo"));
        var body = new string('b', FakeSqsServer.MaxMessageBytes - spare);
        var reason = new string('\u20AC', SqsDeadLetterQueue.MaxReasonLength);

        await queue.SendAsync(new DeadLetterMessage(body, "g", "m", reason, "InvalidEvent", SenderAttribute.Reconciler), CancellationToken.None);

        var sent = Assert.Single(_sqs.Requests).Body;
        Assert.Equal(body, sent.GetProperty("MessageBody").GetString());
        var attributes = sent.GetProperty("MessageAttributes");
        Assert.Equal("InvalidEvent", attributes.GetProperty("ReplicatorErrorType").GetProperty("StringValue").GetString());
        Assert.Equal(SenderAttribute.Reconciler, attributes.GetProperty(SenderAttribute.Name).GetProperty("StringValue").GetString());
        if (reasonKept)
        {
            var cut = attributes.GetProperty("ReplicatorError").GetProperty("StringValue").GetString()!;
            Assert.EndsWith(SqsAttributeText.Ellipsis.ToString(), cut, StringComparison.Ordinal);
            Assert.StartsWith("\u20AC\u20AC", cut, StringComparison.Ordinal);
        }
        else
        {
            Assert.False(attributes.TryGetProperty("ReplicatorError", out _));
        }
    }

    /// <summary>
    /// A message SQS delivered at exactly its size limit, with a foreign sender value of 65 characters: cut to 64 with a
    /// 3-byte ellipsis it is a byte longer than it came, so with the reason and error type left out the sender is cut
    /// shorter too (the fake refuses a message over the limit, as SQS does), and the body reaches the dead-letter queue
    /// whole.
    /// </summary>
    [Fact]
    public async Task A_message_delivered_at_the_limit_with_a_long_foreign_sender_still_fits()
    {
        using var client = Client();
        var queue = new SqsDeadLetterQueue(client, new Uri(_sqs.Endpoint, "/000000000000/dlq.fifo"));
        var sender = new string('s', SqsDeadLetterQueue.MaxSenderLength + 1);
        var body = new string('b', FakeSqsServer.MaxMessageBytes - SenderAttribute.Name.Length - "String".Length - sender.Length);

        await queue.SendAsync(new DeadLetterMessage(body, "g", "m", "a reason", "InvalidEvent", sender), CancellationToken.None);

        var sent = Assert.Single(_sqs.Requests).Body;
        Assert.Equal(body, sent.GetProperty("MessageBody").GetString());
        var attribute = Assert.Single(sent.GetProperty("MessageAttributes").EnumerateObject());
        Assert.Equal(SenderAttribute.Name, attribute.Name);
        Assert.Matches("^s{16,}\u2026$", attribute.Value.GetProperty("StringValue").GetString());
    }

    [Fact]
    public async Task A_standard_queue_gets_no_fifo_parameters()
    {
        using var client = Client();
        var queue = new SqsDeadLetterQueue(client, new Uri(_sqs.Endpoint, "/000000000000/dlq"));
        await queue.SendAsync(new DeadLetterMessage("x", "group-1", "message-1", "r", "t"), CancellationToken.None);
        var (_, _, _, body) = Assert.Single(_sqs.Requests);
        Assert.False(body.TryGetProperty("MessageGroupId", out _));
        Assert.False(body.TryGetProperty("MessageDeduplicationId", out _));
    }

    [Fact]
    public async Task A_refused_send_throws_so_the_record_is_reported_failed()
    {
        _sqs.FailWith = HttpStatusCode.BadRequest;
        using var client = Client();
        var queue = new SqsDeadLetterQueue(client, new Uri(_sqs.Endpoint, "/000000000000/dlq.fifo"));
        await Assert.ThrowsAnyAsync<AmazonServiceException>(() => queue.SendAsync(new DeadLetterMessage("x", "g", "m", "r", "t"), CancellationToken.None));
    }

    [Fact]
    public async Task Long_reasons_are_cut()
    {
        using var client = Client();
        var queue = new SqsDeadLetterQueue(client, new Uri(_sqs.Endpoint, "/000000000000/dlq.fifo"));
        await queue.SendAsync(new DeadLetterMessage("x", "g", "m", new string('r', 5000), "t"), CancellationToken.None);
        var (_, _, _, body) = Assert.Single(_sqs.Requests);
        Assert.Equal(1024, body.GetProperty("MessageAttributes").GetProperty("ReplicatorError").GetProperty("StringValue").GetString()!.Length);
    }

    [Fact]
    public void The_client_uses_the_configured_endpoint_or_the_region()
    {
        var none = new DictionaryEnvironmentVariables(new Dictionary<string, string?>());
        using var local = SqsMessageSender.CreateClient("us-east-1", new Uri("http://127.0.0.1:9324"), none);
        Assert.Equal("http://127.0.0.1:9324/", local.Config.ServiceURL);
        Assert.Equal("us-east-1", local.Config.AuthenticationRegion);

        using var real = SqsMessageSender.CreateClient("eu-west-1", null, none);
        Assert.Equal("eu-west-1", real.Config.RegionEndpoint.SystemName);
        Assert.False(real.Config.UseFIPSEndpoint || real.Config.UseDualstackEndpoint);
    }

    /// <summary>
    /// The dead-letter, visibility and reconcile-send client takes FIPS and dual-stack from the environment the function
    /// was given, as its ECR, STS, SSM and EventBridge clients do (it left them to the SDK's own read of the process).
    /// </summary>
    [Theory]
    [InlineData("AWS_USE_FIPS_ENDPOINT", true, false)]
    [InlineData("AWS_USE_DUALSTACK_ENDPOINT", false, true)]
    public void Fips_and_dual_stack_come_from_the_injected_environment(string variable, bool fips, bool dualStack)
    {
        using var client = SqsMessageSender.CreateClient("us-east-1", null, new DictionaryEnvironmentVariables(new Dictionary<string, string?> { [variable] = "true" }));

        Assert.Equal(fips, client.Config.UseFIPSEndpoint);
        Assert.Equal(dualStack, client.Config.UseDualstackEndpoint);
    }

    /// <summary>
    /// SQS takes a message of up to 1 MiB, its attributes counted in
    /// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_MessageAttributeValue.html): one that
    /// comes to exactly the limit fits and keeps its reason whole; a byte over, and the reason gives way.
    /// </summary>
    [Fact]
    public void A_message_of_exactly_the_limit_keeps_its_reason_whole_and_a_byte_more_cuts_it()
    {
        var reason = new string('r', 200);
        Dictionary<string, Amazon.SQS.Model.MessageAttributeValue> Attributes() => new()
        {
            [DeadLetterMessage.ErrorAttribute] = new() { DataType = "String", StringValue = reason },
            [DeadLetterMessage.ErrorTypeAttribute] = new() { DataType = "String", StringValue = "InvalidEvent" },
        };
        var body = new string('b', 1000);
        var limit = body.Length + Attributes().Sum(a => a.Key.Length + a.Value.DataType.Length + a.Value.StringValue.Length);

        var atLimit = Attributes();
        SqsDeadLetterQueue.FitWithin(limit, body, atLimit);
        Assert.Equal(reason, atLimit[DeadLetterMessage.ErrorAttribute].StringValue);
        Assert.Equal("InvalidEvent", atLimit[DeadLetterMessage.ErrorTypeAttribute].StringValue);

        var over = Attributes();
        SqsDeadLetterQueue.FitWithin(limit - 1, body, over);
        Assert.NotEqual(reason, over[DeadLetterMessage.ErrorAttribute].StringValue);
        Assert.EndsWith(SqsAttributeText.Ellipsis.ToString(), over[DeadLetterMessage.ErrorAttribute].StringValue, StringComparison.Ordinal);
    }

    /// <summary>
    /// A reason cut to <c>MinCutReasonLength</c> (16) units, the shortest that still says something, is kept; only a
    /// shorter cut leaves it out.
    /// </summary>
    [Fact]
    public void A_reason_cut_to_the_shortest_useful_length_is_kept()
    {
        var attributes = new Dictionary<string, Amazon.SQS.Model.MessageAttributeValue>
        {
            [DeadLetterMessage.ErrorAttribute] = new() { DataType = "String", StringValue = new string('r', 200) },
            [DeadLetterMessage.ErrorTypeAttribute] = new() { DataType = "String", StringValue = "InvalidEvent" },
        };
        var body = new string('b', 1000);
        var size = body.Length + attributes.Sum(a => a.Key.Length + a.Value.DataType.Length + a.Value.StringValue.Length);

        // 150 bytes over: 50 bytes left for the reason, 16 units at 3 bytes each at most.
        SqsDeadLetterQueue.FitWithin(size - 150, body, attributes);

        Assert.Equal(new string('r', 15) + SqsAttributeText.Ellipsis, attributes[DeadLetterMessage.ErrorAttribute].StringValue);
    }

    /// <summary>
    /// SendMessage answers with the new message's id (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html);
    /// an answer whose id is missing or empty does not show the message was queued, so the send throws and the record
    /// is reported failed rather than deleted.
    /// </summary>
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task An_answer_without_a_message_id_throws(string? messageId)
    {
        var sqs = new Mock<IAmazonSQS>(MockBehavior.Strict);
        sqs.Setup(s => s.SendMessageAsync(It.IsAny<Amazon.SQS.Model.SendMessageRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new Amazon.SQS.Model.SendMessageResponse { MessageId = messageId });
        var queue = new SqsDeadLetterQueue(sqs.Object, new Uri("https://sqs.us-east-1.amazonaws.com/000000000000/dlq.fifo"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => queue.SendAsync(new DeadLetterMessage("x", "g", "m", "r", "t"), CancellationToken.None));
    }

    /// <summary>
    /// SQS counts the body in UTF-8 bytes: a body of multi-byte characters near the limit leaves the attributes less
    /// room than its length in characters suggests, and the reason gives way to it.
    /// </summary>
    [Fact]
    public async Task A_body_of_multi_byte_characters_near_the_limit_is_counted_in_bytes()
    {
        using var client = Client();
        var queue = new SqsDeadLetterQueue(client, new Uri(_sqs.Endpoint, "/000000000000/dlq.fifo"));
        var body = new string('\u20AC', (FakeSqsServer.MaxMessageBytes - 100) / 3);

        await queue.SendAsync(new DeadLetterMessage(body, "g", "m", new string('r', 500), "InvalidEvent"), CancellationToken.None);

        var sent = Assert.Single(_sqs.Requests).Body;
        Assert.Equal(body, sent.GetProperty("MessageBody").GetString());
        Assert.False(sent.GetProperty("MessageAttributes").TryGetProperty("ReplicatorError", out _));
    }

    /// <summary>A FIFO queue refuses a message without a group: a record that came without one is sent in the replicator's own group.</summary>
    [Fact]
    public async Task A_message_without_a_group_goes_to_a_fifo_queue_in_a_group_of_its_own()
    {
        using var client = Client();
        var queue = new SqsDeadLetterQueue(client, new Uri(_sqs.Endpoint, "/000000000000/dlq.fifo"));

        await queue.SendAsync(new DeadLetterMessage("x", null, "m", "r", "t"), CancellationToken.None);

        Assert.Equal("replicator-dead-letter", Assert.Single(_sqs.Requests).Body.GetProperty("MessageGroupId").GetString());
    }

    /// <summary>SQS refuses an empty attribute value, and the send with it: an empty reason or error type is sent as "unknown".</summary>
    [Fact]
    public async Task An_empty_reason_or_error_type_is_sent_as_unknown()
    {
        using var client = Client();
        var queue = new SqsDeadLetterQueue(client, new Uri(_sqs.Endpoint, "/000000000000/dlq.fifo"));

        await queue.SendAsync(new DeadLetterMessage("x", "g", "m", string.Empty, string.Empty), CancellationToken.None);

        var attributes = Assert.Single(_sqs.Requests).Body.GetProperty("MessageAttributes");
        Assert.Equal("unknown", attributes.GetProperty("ReplicatorError").GetProperty("StringValue").GetString());
        Assert.Equal("unknown", attributes.GetProperty("ReplicatorErrorType").GetProperty("StringValue").GetString());
    }
}
