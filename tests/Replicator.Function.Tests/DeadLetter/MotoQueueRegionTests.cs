using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Replicator.Function.DeadLetter;
using Replicator.Function.Enqueue;
using Replicator.Testing;

namespace Replicator.Function.Tests.DeadLetter;

/// <summary>
/// The evidence behind refusing, at init, a dead-letter or reconcile queue of another region than AWS_REGION
/// (FunctionConfigTests): against a real SQS API (moto's server, which keeps queues per region as SQS does, and reads
/// the request's region from its signature), the function's client, built for its own region, cannot send to a queue
/// of another region, and the same client reaches a queue of its own.
/// </summary>
public sealed class MotoQueueRegionTests
{
    [Fact]
    public async Task The_functions_client_reaches_a_queue_of_its_region_and_not_one_of_another()
    {
        await using var moto = await MotoServer.StartAsync();
        var keys = new BasicAWSCredentials("test", "test");
        var environment = new DictionaryEnvironmentVariables(new Dictionary<string, string?>());
        async Task<Uri> CreateAsync(string region, string name)
        {
            using var owner = new AmazonSQSClient(keys, new AmazonSQSConfig { ServiceURL = moto.Endpoint.AbsoluteUri, AuthenticationRegion = region });
            return new Uri((await owner.CreateQueueAsync(new CreateQueueRequest { QueueName = name })).QueueUrl);
        }

        // Two names: moto finds a queue by the URL's name in the request's region, so a queue of the same name in the
        // function's region would take the message meant for the other region's.
        var own = await CreateAsync("us-east-1", "dlq");
        var other = await CreateAsync("eu-west-1", "central-dlq");
        using var client = SqsMessageSender.CreateClient("us-east-1", moto.Endpoint, environment, keys);
        var message = new DeadLetterMessage("{}", null, "m1", "reason", "InvalidEvent");

        await new SqsDeadLetterQueue(client, own).SendAsync(message, CancellationToken.None);
        await Assert.ThrowsAnyAsync<AmazonSQSException>(() => new SqsDeadLetterQueue(client, other).SendAsync(message, CancellationToken.None));
    }
}
