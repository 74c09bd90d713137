using System.Globalization;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Replicator.Core.Configuration;

namespace Replicator.Function.Enqueue;

/// <summary>SendMessageBatch through AWSSDK.SQS.</summary>
public sealed class SqsMessageSender(IAmazonSQS sqs, string queueUrl) : IMessageSender
{
    public const string ServiceEndpointVariable = "AWS_ENDPOINT_URL_SQS";
    public const string GlobalEndpointVariable = "AWS_ENDPOINT_URL";

    public async Task<IReadOnlyList<string>> SendBatchAsync(IReadOnlyList<QueueMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var request = new SendMessageBatchRequest
        {
            QueueUrl = queueUrl,
            Entries = [.. messages.Select((m, i) => new SendMessageBatchRequestEntry
            {
                Id = i.ToString(CultureInfo.InvariantCulture),
                MessageBody = m.Body,
                MessageGroupId = m.GroupId,
                MessageDeduplicationId = m.DeduplicationId,
            })],
        };
        var response = await sqs.SendMessageBatchAsync(request, cancellationToken);
        return [.. (response.Failed ?? []).Select(f => $"message {f.Id}: {f.Code}: {f.Message}")];
    }

    /// <summary>
    /// The client for <paramref name="region"/>: <c>AWS_ENDPOINT_URL_SQS</c>, else <c>AWS_ENDPOINT_URL</c>, from the
    /// injected environment; credentials from <paramref name="credentials"/> or the standard chain.
    /// </summary>
    public static IAmazonSQS CreateClient(string region, IEnvironmentVariables environment, AWSCredentials? credentials)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var config = new AmazonSQSConfig();
        var endpoint = new[] { ServiceEndpointVariable, GlobalEndpointVariable }.Select(environment.GetEnvironmentVariable).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
        if (endpoint is not null)
        {
            config.ServiceURL = endpoint.Trim();
            config.AuthenticationRegion = region;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(region);
        }

        return credentials is null ? new AmazonSQSClient(config) : new AmazonSQSClient(credentials, config);
    }
}
