using System.Globalization;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Replicator.Core.Configuration;
using Replicator.Core.Destinations;
using Replicator.Core.Resilience;

namespace Replicator.Function.Enqueue;

/// <summary>SendMessageBatch through AWSSDK.SQS.</summary>
/// <param name="sqs">Gives the client at each send: the function's shared client, built on its first use.</param>
/// <param name="queueUrl">The queue.</param>
/// <param name="time">The clock of the pause before a resend.</param>
/// <param name="random">A value in [0, 1) for that pause's jitter.</param>
public sealed class SqsMessageSender(Func<IAmazonSQS> sqs, string queueUrl, TimeProvider? time = null, Func<double>? random = null) : IMessageSender
{
    public SqsMessageSender(IAmazonSQS sqs, string queueUrl, TimeProvider? time = null, Func<double>? random = null)
        : this(() => sqs, queueUrl, time, random)
    {
    }

    public const string ServiceEndpointVariable = "AWS_ENDPOINT_URL_SQS";

    /// <summary>
    /// The pause before entries SQS failed on its side are sent again, full jitter from a tenth of it: sent at once,
    /// the resend would most likely meet the same fault (botocore's standard mode also waits before a retry,
    /// botocore/retries/standard.py), and each entry then refused waits for the next reconcile pass.
    /// </summary>
    public static readonly TimeSpan ResendDelay = TimeSpan.FromMilliseconds(500);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Func<double> _random = random ?? Random.Shared.NextDouble;

    /// <summary>
    /// Each entry's Id is its index in <paramref name="messages"/>, so a refusal names its message. SQS answers a
    /// batch per entry: an entry failed with <c>SenderFault</c> false was SQS's own failure and is sent once more (its
    /// deduplication id makes a repeat harmless); one the sender caused (a bad group id, a body too large) would fail
    /// again and is returned at once
    /// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_BatchResultErrorEntry.html).
    /// </summary>
    public async Task<IReadOnlyList<MessageRefusal>> SendBatchAsync(IReadOnlyList<QueueMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var failed = await SendAsync(messages, [.. Enumerable.Range(0, messages.Count)], cancellationToken);
        var retry = failed.Where(f => f.SenderFault == false).Select(f => Index(f.Id)).ToList();
        var refusals = failed.Where(f => f.SenderFault != false).Select(Refusal).ToList();
        if (retry.Count > 0)
        {
            try
            {
                await Task.Delay(RetryDelays.Compute(0, ResendDelay, ResendDelay, Math.Clamp(_random(), 0, 0.999999)), _time, cancellationToken);
                refusals.AddRange((await SendAsync(messages, retry, cancellationToken)).Select(Refusal));
            }
            // TimeoutException too: AWSSDK throws it when an attempt outlasts the client's Timeout (it rethrows the inner
            // exception of HttpClient's TaskCanceledException: https://github.com/aws/aws-sdk-net/issues/1904).
            catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException or OperationCanceledException or IOException or TimeoutException)
            {
                // The first call's answer stands: the entries it accepted are queued, and only those sent again are
                // refused, with what ended the resend. Thrown, it made the caller count the whole batch unsent, so a
                // reconcile pass reported queued messages as refused and the next pass queued them again.
                var code = ex is AmazonServiceException { ErrorCode: { Length: > 0 } errorCode } ? errorCode : ex.GetType().Name;
                var cancelled = ex is OperationCanceledException && cancellationToken.IsCancellationRequested;
                refusals.AddRange(retry.Select(i => new MessageRefusal(i, code, $"sent again after SQS failed it, and the resend failed: {ex.Message}") { Cancelled = cancelled }));
            }
        }

        return [.. refusals.OrderBy(r => r.Index)];
    }

    private static MessageRefusal Refusal(BatchResultErrorEntry entry) => new(Index(entry.Id), entry.Code ?? "Unknown", entry.Message ?? string.Empty);

    private async Task<List<BatchResultErrorEntry>> SendAsync(IReadOnlyList<QueueMessage> messages, IReadOnlyList<int> indexes, CancellationToken cancellationToken)
    {
        var request = new SendMessageBatchRequest
        {
            QueueUrl = queueUrl,
            Entries = [.. indexes.Select(i => new SendMessageBatchRequestEntry
            {
                Id = i.ToString(CultureInfo.InvariantCulture),
                MessageBody = messages[i].Body,
                MessageGroupId = messages[i].GroupId,
                MessageDeduplicationId = messages[i].DeduplicationId,
                MessageAttributes = messages[i].Sender is { } sender
                    ? new Dictionary<string, MessageAttributeValue> { [SenderAttribute.Name] = new() { DataType = "String", StringValue = sender } }
                    : null,
            })],
        };
        var response = await sqs().SendMessageBatchAsync(request, cancellationToken);
        return response.Failed ?? [];
    }

    private static int Index(string id) => int.Parse(id, NumberStyles.None, CultureInfo.InvariantCulture);

    /// <summary>
    /// The client for <paramref name="region"/>: <c>AWS_ENDPOINT_URL_SQS</c>, else <c>AWS_ENDPOINT_URL</c>, from the
    /// injected environment, both off under <c>AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true</c>, by the rule every other
    /// client here follows (<see cref="ServiceEndpoints.Override"/>); credentials from <paramref name="credentials"/> or
    /// the standard chain.
    /// </summary>
    /// <exception cref="SettingException">An override that is not an absolute http or https URL.</exception>
    public static IAmazonSQS CreateClient(string region, IEnvironmentVariables environment, AWSCredentials? credentials)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return CreateClient(region, ServiceEndpoints.Override(environment, ServiceEndpointVariable), environment, credentials);
    }

    /// <summary>
    /// A client for <paramref name="region"/>, or for <paramref name="endpoint"/> when one is given (the function's own,
    /// from its validated configuration); FIPS and dual-stack from <paramref name="environment"/>, as for every other
    /// client. The function's dead-letter sends, visibility changes and reconcile sends use it as the CLI's sends do.
    /// </summary>
    public static IAmazonSQS CreateClient(string region, Uri? endpoint, IEnvironmentVariables environment, AWSCredentials? credentials = null)
    {
        var config = new AmazonSQSConfig();
        ServiceEndpoints.Apply(config, environment, endpoint, region);
        return credentials is null ? new AmazonSQSClient(config) : new AmazonSQSClient(credentials, config);
    }
}
