using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Replicator.Core.EventBridge;
using Replicator.Core.Signing;
using Replicator.Function.Tests.Support;
using Replicator.Testing;
using E = Replicator.Function.Tests.Support.Events;

namespace Replicator.Function.Tests.ReplicatedEvents;

/// <summary>
/// Against a real EventBridge API (moto's server): the events our PutEvents client sends for a push are accepted,
/// matched by a rule on the custom bus for <c>source</c> ecr-replicator and <c>detail-type</c> "ECR Image
/// Replicated", and delivered to its SQS target as EventBridge events with our detail.
/// </summary>
public sealed class MotoPutEventsTests
{
    private const string Region = "us-east-1";

    [Fact]
    public async Task The_replicated_events_reach_a_rule_target_on_the_bus()
    {
        await using var moto = await MotoServer.StartAsync();
        using var http = new HttpClient();
        var credentials = new AwsCredentials("moto", "moto");
        using var sqs = new AmazonSQSClient(new BasicAWSCredentials("moto", "moto"), new AmazonSQSConfig { ServiceURL = moto.Endpoint.AbsoluteUri, AuthenticationRegion = Region });
        var queueUrl = (await sqs.CreateQueueAsync("replicated-images")).QueueUrl;
        var queueArn = $"arn:aws:sqs:{Region}:{MotoServer.AccountId}:replicated-images";

        // The bus, rule and target an operator would create with the AWS CLI, sent through the same signer.
        await CallAsync(http, moto.Endpoint, credentials, "CreateEventBus", """{"Name":"replicated"}""");
        await CallAsync(http, moto.Endpoint, credentials, "PutRule", """{"Name":"to-queue","EventBusName":"replicated","EventPattern":"{\"source\":[\"ecr-replicator\"],\"detail-type\":[\"ECR Image Replicated\"]}"}""");
        await CallAsync(http, moto.Endpoint, credentials, "PutTargets", $$"""{"Rule":"to-queue","EventBusName":"replicated","Targets":[{"Id":"q","Arn":"{{queueArn}}"}]}""");

        // moto is a Python process on a shared 2-core machine: under a loaded test run its PutEvents (which also
        // delivers to the SQS target) has taken longer than the 10 s production per-call timeout three times in a
        // row. What this test pins is what moto accepts and delivers, not how fast it answers.
        var client = new EventBridgeClient(http, new StaticCredentialsSource(credentials), Region, moto.Endpoint, timeout: TimeSpan.FromMinutes(2));
        var bus = EventBusReference.Parse($"arn:aws:events:{Region}:{MotoServer.AccountId}:event-bus/replicated", "REPLICATED_EVENT_BUS");
        var harness = new Harness(Harness.DefaultConfig with { ReplicatedEventBus = bus }, eventBridge: client);

        await harness.Handler.HandleAsync(E.Record("m1", E.Body(repository: "team/app", tag: "v2")), "req", CancellationToken.None);

        Assert.DoesNotContain(harness.LogLines, l => l.GetProperty("level").GetString() == "WARN");
        var received = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queueUrl, MaxNumberOfMessages = 10, WaitTimeSeconds = 1 });
        var events = received.Messages.Select(m => JsonDocument.Parse(m.Body).RootElement.Clone()).ToList();
        Assert.Equal(2, events.Count);
        Assert.All(events, e =>
        {
            Assert.Equal("ecr-replicator", e.GetProperty("source").GetString());
            Assert.Equal("ECR Image Replicated", e.GetProperty("detail-type").GetString());
            Assert.Equal("team/app", e.GetProperty("detail").GetProperty("repository-name").GetString());
            Assert.Equal("v2", e.GetProperty("detail").GetProperty("image-tag").GetString());
            Assert.Equal(E.Digest, e.GetProperty("detail").GetProperty("image-digest").GetString());
        });
        Assert.Equal(["eu-west-1", "us-west-2"], events.Select(e => e.GetProperty("detail").GetProperty("destination-region").GetString()).Order(StringComparer.Ordinal));
    }

    private static async Task CallAsync(HttpClient http, Uri endpoint, AwsCredentials credentials, string operation, string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(AwsJsonRequestSigner.ContentType);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = content };
        new AwsJsonRequestSigner(new SigV4Signer(TimeProvider.System), endpoint, Region, EventBridgeClient.SigningService, EventBridgeClient.TargetPrefix, "tests")
            .Sign(request, operation, body, credentials);
        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{operation}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
