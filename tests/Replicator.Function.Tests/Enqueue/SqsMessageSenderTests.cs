using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Moq;
using Replicator.Core.Resilience;
using Replicator.Function.Enqueue;
using Replicator.Testing;

namespace Replicator.Function.Tests.Enqueue;

/// <summary>The real AWSSDK.SQS client (no retries of its own) against a local SendMessageBatch endpoint.</summary>
public sealed class SqsMessageSenderTests
{
    private static Task<IReadOnlyList<MessageRefusal>> SendAsync(FakeSqsServer sqs, params QueueMessage[] messages) =>
        SendAsync(sqs, new WaitsElapseAtOnceClock(), messages);

    private static Task<IReadOnlyList<MessageRefusal>> SendAsync(FakeSqsServer sqs, TimeProvider time, params QueueMessage[] messages) =>
        SendAsync(sqs, time, CancellationToken.None, messages);

    private static async Task<IReadOnlyList<MessageRefusal>> SendAsync(FakeSqsServer sqs, TimeProvider time, CancellationToken cancellationToken, params QueueMessage[] messages)
    {
        using var client = new AmazonSQSClient(
            new BasicAWSCredentials("local", "local"),
            new AmazonSQSConfig { ServiceURL = sqs.Endpoint.AbsoluteUri, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });
        return await new SqsMessageSender(client, new Uri(sqs.Endpoint, "/000000000000/replication.fifo").AbsoluteUri, time, () => 0.5).SendBatchAsync(messages, cancellationToken);
    }

    private static QueueMessage Message(string group, int n) => new($"{{\"n\":{n}}}", group, $"dedup-{n}");

    [Fact]
    public async Task A_refusal_names_its_message_by_its_place_in_the_batch()
    {
        await using var sqs = await FakeSqsServer.StartAsync();
        sqs.RefuseGroups["bad"] = true;

        var refused = await SendAsync(sqs, Message("ok", 0), Message("bad", 1), Message("ok", 2), Message("bad", 3));

        Assert.Equal([1, 3], refused.Select(r => r.Index));
        Assert.All(refused, r => Assert.Equal("InvalidParameterValue", r.Code));

        // The sender's own fault would fail again: not sent twice.
        Assert.Single(sqs.Requests);
    }

    [Fact]
    public async Task An_entry_SQS_failed_on_its_side_is_sent_once_more_and_only_it()
    {
        await using var sqs = await FakeSqsServer.StartAsync();
        sqs.ServerFaultGroups["flaky"] = 1;
        sqs.ServerFaultGroups["down"] = int.MaxValue;

        var clock = new WaitsElapseAtOnceClock();

        var refused = await SendAsync(sqs, clock, Message("ok", 0), Message("flaky", 1), Message("down", 2));

        // After a pause (a resend at once would most likely meet the same fault), "flaky" went through on the second try; "down" failed twice and is refused, under its own index.
        var refusal = Assert.Single(refused);
        Assert.Equal((2, "InternalError"), (refusal.Index, refusal.Code));
        var requests = sqs.Requests.Select(r => r.Body.GetProperty("Entries").EnumerateArray().Select(e => e.GetProperty("MessageDeduplicationId").GetString()).ToList()).ToList();
        Assert.Equal(2, requests.Count);
        Assert.Equal(["dedup-0", "dedup-1", "dedup-2"], requests[0]);
        Assert.Equal(["dedup-1", "dedup-2"], requests[1]);
        Assert.Equal([RetryDelays.Compute(0, SqsMessageSender.ResendDelay, SqsMessageSender.ResendDelay, 0.5)], clock.Waits);
    }

    /// <summary>
    /// The resend fails whole (an HTTP 500, the deadline's cancellation): the entries the first call accepted stay
    /// accepted, and only those sent again are refused, with what ended the resend. It used to throw, and the
    /// reconciler then counted the whole batch unsent.
    /// </summary>
    [Fact]
    public async Task A_resend_that_fails_whole_refuses_only_the_entries_sent_again()
    {
        await using var sqs = await FakeSqsServer.StartAsync();
        sqs.ServerFaultGroups["flaky"] = 2;
        sqs.RefuseGroups["bad"] = true;
        sqs.FailCode = "ServiceUnavailable";
        var clock = new WaitsElapseAtOnceClock(() => sqs.FailWith = System.Net.HttpStatusCode.ServiceUnavailable);

        var refused = await SendAsync(sqs, clock, Message("ok", 0), Message("flaky", 1), Message("bad", 2), Message("flaky", 3));

        Assert.Equal([(1, "ServiceUnavailable"), (2, "InvalidParameterValue"), (3, "ServiceUnavailable")], refused.Select(r => (r.Index, r.Code)));
        Assert.Contains("resend failed", refused[0].Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(refused, r => r.Cancelled);
        Assert.Equal(2, sqs.Requests.Count);
    }

    /// <summary>
    /// The resend outlasts the client's Timeout. HttpClient then throws a TaskCanceledException over a TimeoutException
    /// (https://learn.microsoft.com/dotnet/api/system.net.http.httpclient.timeout), and AWSSDK rethrows that inner
    /// TimeoutException, not an exception of its own (aws-sdk-net's HttpRequestMessageFactory;
    /// https://github.com/aws/aws-sdk-net/issues/1904). As for any other failure of the resend, the entries the first
    /// call accepted stay accepted and only those sent again are refused. It escaped, and the reconciler then counted
    /// the whole batch unsent: refused, the run stopped, and the next run queued the accepted entries again.
    /// </summary>
    [Fact]
    public async Task A_resend_that_times_out_refuses_only_the_entries_sent_again()
    {
        await using var sqs = await FakeSqsServer.StartAsync();
        sqs.ServerFaultGroups["flaky"] = 1;
        using var client = new AmazonSQSClient(
            new BasicAWSCredentials("local", "local"),
            new AmazonSQSConfig
            {
                ServiceURL = sqs.Endpoint.AbsoluteUri,
                AuthenticationRegion = "us-east-1",
                MaxErrorRetry = 0,
                HttpClientFactory = new TimingOutFrom(2),
            });
        var sender = new SqsMessageSender(client, new Uri(sqs.Endpoint, "/000000000000/replication.fifo").AbsoluteUri, new WaitsElapseAtOnceClock(), () => 0.5);

        var refused = await sender.SendBatchAsync([Message("ok", 0), Message("flaky", 1)], CancellationToken.None);

        var refusal = Assert.Single(refused);
        Assert.Equal((1, nameof(TimeoutException)), (refusal.Index, refusal.Code));
        Assert.Contains("resend failed", refusal.Reason, StringComparison.Ordinal);
        Assert.False(refusal.Cancelled);
        Assert.Equal(["ok"], sqs.Queued.Select(q => q.GroupId));
        Assert.Single(sqs.Requests);
    }

    /// <summary>
    /// HttpClients whose requests from the given one on (counted from 1 over every client it makes) fail as
    /// HttpClient's own Timeout fails them, without waiting for it.
    /// </summary>
    private sealed class TimingOutFrom(int from) : HttpClientFactory
    {
        private int _requests;

        private int From => from;

        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new Handler(this) { InnerHandler = new HttpClientHandler() });

        private sealed class Handler(TimingOutFrom factory) : DelegatingHandler
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
                Interlocked.Increment(ref factory._requests) >= factory.From
                    ? Task.FromException<HttpResponseMessage>(new TaskCanceledException(
                        "The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing.",
                        new TimeoutException("The operation was canceled.")))
                    : base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public async Task A_resend_cancelled_in_its_pause_refuses_only_the_entries_it_would_have_sent()
    {
        await using var sqs = await FakeSqsServer.StartAsync();
        sqs.ServerFaultGroups["flaky"] = 1;
        using var stop = new CancellationTokenSource();

        var refused = await SendAsync(sqs, new WaitsElapseAtOnceClock(stop.Cancel), stop.Token, Message("ok", 0), Message("flaky", 1));

        var refusal = Assert.Single(refused);
        Assert.Equal(1, refusal.Index);
        Assert.Contains("Canceled", refusal.Code, StringComparison.Ordinal);

        // The caller's own cancellation, not the queue's refusal: the reconciler goes back to it instead of counting it.
        Assert.True(refusal.Cancelled);
        Assert.Single(sqs.Requests);
    }

    /// <summary>
    /// SQS names the fault of each failed entry (<c>SenderFault</c>, https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_BatchResultErrorEntry.html),
    /// but the SDK models it as optional. An entry failed without it is not queued: it is refused, never dropped as if
    /// SQS had taken it, and not sent again (only SQS's own fault is).
    /// </summary>
    [Fact]
    public async Task An_entry_failed_without_saying_whose_fault_is_refused_not_lost()
    {
        var sqs = new Mock<IAmazonSQS>(MockBehavior.Strict);
        sqs.Setup(s => s.SendMessageBatchAsync(It.IsAny<SendMessageBatchRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new SendMessageBatchResponse
            {
                Successful = [new SendMessageBatchResultEntry { Id = "0", MessageId = "m-0" }],
                Failed = [new BatchResultErrorEntry { Id = "1", Code = "InternalError", Message = "no fault named" }],
            });
        var sender = new SqsMessageSender(sqs.Object, QueueUrl, new WaitsElapseAtOnceClock(), () => 0.5);

        var refused = await sender.SendBatchAsync([Message("ok", 0), Message("unknown", 1)], CancellationToken.None);

        Assert.Equal((1, "InternalError"), (Assert.Single(refused).Index, refused[0].Code));
        sqs.Verify(s => s.SendMessageBatchAsync(It.IsAny<SendMessageBatchRequest>(), It.IsAny<CancellationToken>()), Times.Once());
    }

    /// <summary>
    /// <see cref="MessageRefusal.Cancelled"/> is the caller's own token, which the reconciler answers by going back to
    /// the entry. A resend that ends in a cancellation the caller did not ask for (an HTTP client's own) is a refusal
    /// like any other failure of the resend, not the caller's stop.
    /// </summary>
    [Fact]
    public async Task A_resend_cancelled_by_something_other_than_the_callers_token_is_a_refusal_not_the_callers_stop()
    {
        var sqs = new Mock<IAmazonSQS>(MockBehavior.Strict);
        sqs.SetupSequence(s => s.SendMessageBatchAsync(It.IsAny<SendMessageBatchRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new SendMessageBatchResponse
            {
                Successful = [new SendMessageBatchResultEntry { Id = "0", MessageId = "m-0" }],
                Failed = [new BatchResultErrorEntry { Id = "1", SenderFault = false, Code = "InternalError", Message = "failed on SQS's side" }],
            })
            .ThrowsAsync(new TaskCanceledException("The operation was canceled."));
        var sender = new SqsMessageSender(sqs.Object, QueueUrl, new WaitsElapseAtOnceClock(), () => 0.5);

        var refused = await sender.SendBatchAsync([Message("ok", 0), Message("flaky", 1)], CancellationToken.None);

        var refusal = Assert.Single(refused);
        Assert.Equal((1, nameof(TaskCanceledException)), (refusal.Index, refusal.Code));
        Assert.False(refusal.Cancelled);
    }

    private const string QueueUrl = "https://sqs.us-east-1.amazonaws.com/000000000000/replication.fifo";
}
