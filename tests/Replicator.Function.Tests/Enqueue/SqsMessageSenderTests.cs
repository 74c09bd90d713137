using Amazon.Runtime;
using Amazon.SQS;
using Replicator.Function.Enqueue;
using Replicator.Testing;

namespace Replicator.Function.Tests.Enqueue;

/// <summary>The real AWSSDK.SQS client against a local SendMessageBatch endpoint.</summary>
public sealed class SqsMessageSenderTests : IAsyncLifetime
{
    private FakeSqsServer _sqs = null!;

    public async Task InitializeAsync() => _sqs = await FakeSqsServer.StartAsync();

    public async Task DisposeAsync() => await _sqs.DisposeAsync();

    private SqsMessageSender Sender(AmazonSQSClient client) => new(client, new Uri(_sqs.Endpoint, "/000000000000/replication.fifo").AbsoluteUri);

    private AmazonSQSClient Client() => new(
        new BasicAWSCredentials("local", "local"),
        new AmazonSQSConfig { ServiceURL = _sqs.Endpoint.AbsoluteUri, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });

    private static QueueMessage Message(string group, int n) => new($"{{\"n\":{n}}}", group, $"dedup-{n}");

    [Fact]
    public async Task A_refusal_names_its_message_by_its_place_in_the_batch()
    {
        _sqs.RefuseGroups["bad"] = true;
        using var client = Client();

        var refused = await Sender(client).SendBatchAsync([Message("ok", 0), Message("bad", 1), Message("ok", 2), Message("bad", 3)], CancellationToken.None);

        Assert.Equal([1, 3], refused.Select(r => r.Index));
        Assert.All(refused, r => Assert.Equal("InvalidParameterValue", r.Code));

        // The sender's own fault would fail again: not sent twice.
        Assert.Single(_sqs.Requests);
    }

    [Fact]
    public async Task An_entry_SQS_failed_on_its_side_is_sent_once_more_and_only_it()
    {
        _sqs.ServerFaultGroups["flaky"] = 1;
        _sqs.ServerFaultGroups["down"] = int.MaxValue;
        using var client = Client();

        var refused = await Sender(client).SendBatchAsync([Message("ok", 0), Message("flaky", 1), Message("down", 2)], CancellationToken.None);

        // "flaky" went through on the second try; "down" failed twice and is refused, under its own index.
        var refusal = Assert.Single(refused);
        Assert.Equal((2, "InternalError"), (refusal.Index, refusal.Code));
        var requests = _sqs.Requests.Select(r => r.Body.GetProperty("Entries").EnumerateArray().Select(e => e.GetProperty("MessageDeduplicationId").GetString()).ToList()).ToList();
        Assert.Equal(2, requests.Count);
        Assert.Equal(["dedup-0", "dedup-1", "dedup-2"], requests[0]);
        Assert.Equal(["dedup-1", "dedup-2"], requests[1]);
    }
}
