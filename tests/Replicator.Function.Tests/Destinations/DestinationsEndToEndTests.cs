using System.Text.Json;
using LocalEcr;
using LocalLambdaHost;
using Replicator.Core.Composition;
using Replicator.Core.Configuration;
using Replicator.Core.Ecr;
using Replicator.Core.Errors;
using Replicator.Core.Replication;
using Replicator.Core.Signing;
using Replicator.Function.Events;
using Replicator.Function.Runtime;
using Replicator.Function.Tests.Support;
using Replicator.Samples;
using Replicator.Testing;
using E = Replicator.Function.Tests.Support.Events;

namespace Replicator.Function.Tests.Destinations;

/// <summary>
/// The whole function (FunctionHost, configuration, the engine as Program.cs builds it) pushing from account A into
/// other accounts and another partition, offline: LocalEcr serves the accounts (A and B in aws, the China ones in
/// aws-cn, whose keys it knows only there), ECR and STS; moto serves SSM. Each destination is read back with that
/// account's own keys, and A's keys are shown to hold nothing there, or in China to be unknown.
/// </summary>
public sealed class DestinationsEndToEndTests(MotoFixture moto) : IClassFixture<MotoFixture>
{

    private const string Home = "us-east-1";
    private const string A = "111111111111";
    private const string B = "222222222222";
    private const string China = "333333333333";
    private const string ChinaRole = "444444444444";

    private static readonly AwsCredentials AKeys = new("AKIAACCOUNTA00000001", "account-a/secret");
    private static readonly AwsCredentials BKeys = new("AKIAACCOUNTB00000001", "account-b/secret");
    private static readonly AwsCredentials ChinaKeys = new("AKIACHINAUSER0000001", "china-user/SecretDoNotLog");
    private static readonly AwsCredentials ChinaRoleKeys = new("AKIACHINAROLE0000001", "china-role/secret");
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_push_reaches_another_account_by_role_and_another_partition_by_SSM_keys_under_the_mapped_name()
    {
        await using var ecr = await StartEcrAsync();
        await moto.Server.PutSecureStringAsync(Home, "/e2e/ok/cn-keys", Keys(ChinaKeys));
        await moto.Server.PutSecureStringAsync(Home, "/e2e/ok/cn-role", Keys(ChinaKeys, $"arn:aws-cn:iam::{ChinaRole}:role/ecr-writer"));
        var image = new SampleImageBuilder(81).Image(SampleFormat.Oci, [40_000, 20_000]);
        await SampleImagePusher.PushAsync(Client(ecr, AKeys, Home), "team/app", image, "v1");

        var run = await RunFunctionAsync(ecr, new()
        {
            ["DESTINATION_REGIONS"] = $"{B}:us-west-2,{China}:cn-north-1,{ChinaRole}:cn-northwest-1",
            ["DESTINATION_CREDENTIALS"] = $"{China}:cn-north-1=ssm:/e2e/ok/cn-keys,{ChinaRole}:cn-northwest-1=ssm:/e2e/ok/cn-role",
            ["REPOSITORY_MAPPING"] = "team/=mirror/team/,=other/",
        }, E.Record("m1", E.Body(repository: "team/app", digest: image.Digest, tag: "v1", account: A, region: Home), "team/app", E.QueueArnOf(A, Home)));

        Assert.True(run.Result.IsSuccess, run.Result.Body);
        Assert.Equal("{\"batchItemFailures\":[]}", run.Result.Body);
        Assert.Empty(run.DeadLetter.Sent);
        foreach (var (keys, region) in new[] { (BKeys, "us-west-2"), (ChinaKeys, "cn-north-1"), (ChinaRoleKeys, "cn-northwest-1") })
        {
            var probe = new RegistryProbe(Client(ecr, keys, region));
            Assert.True(await probe.HasVerifiedImageAsync("mirror/team/app", image.Digest), $"{region}: image missing under the mapped name");
            Assert.Equal(image.Digest, await probe.TagDigestAsync("mirror/team/app", "v1"));
            Assert.False(await probe.HasVerifiedImageAsync("team/app", image.Digest), $"{region}: the source name was written");
        }

        // Nothing landed in account A's registry of us-west-2; in China, A's keys (the function's own) are unknown, as
        // AWS's are outside their partition, so the copy there can only have used the keys from SSM.
        Assert.False(await new RegistryProbe(Client(ecr, AKeys, "us-west-2")).HasVerifiedImageAsync("mirror/team/app", image.Digest));
        foreach (var region in new[] { "cn-north-1", "cn-northwest-1" })
        {
            var refused = await Assert.ThrowsAsync<EcrException>(() => Client(ecr, AKeys, region).DescribeRepositoriesAsync(new()));
            Assert.Equal(EcrErrorCodes.UnrecognizedClientException, refused.ErrorCode);
        }

        // Account B's role is assumed through STS in the function's own region (always enabled for it); the
        // China role through STS in China, with the SSM-held keys.
        Assert.Equal(1, ecr.Calls.Count(Home, "sts:AssumeRole"));
        Assert.Equal(0, ecr.Calls.Count("us-west-2", "sts:AssumeRole"));
        Assert.Equal(1, ecr.Calls.Count("cn-northwest-1", "sts:AssumeRole"));
        Assert.Equal(0, ecr.Calls.Count("cn-north-1", "sts:AssumeRole"));
        Assert.DoesNotContain(ChinaKeys.SecretAccessKey, run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("IQoJb3JpZ2luX2VjE", run.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// The mistake an operator (or a bug) could make: A's own keys in the parameter of a China destination. AWS knows no
    /// key of aws in aws-cn, and neither does LocalEcr, so the copy cannot pass by writing with them. ECR refuses the key
    /// used directly (UnrecognizedClientException), STS the AssumeRole of the parameter's role signed with it
    /// (InvalidClientTokenId). A key just created is refused the same way for some seconds (IAM is eventually
    /// consistent), so the first receives are retried; from the third on the message is dead-lettered, naming the
    /// destination.
    /// </summary>
    [Theory]
    [InlineData(China + ":cn-north-1", false, EcrErrorCodes.UnrecognizedClientException)]
    [InlineData(ChinaRole + ":cn-northwest-1", true, ReplicationErrorCodes.DestinationCredentialsUnavailable)]
    public async Task The_source_keys_given_for_a_destination_in_another_partition_are_refused_there_and_the_message_says_so(string destination, bool withRole, string errorType)
    {
        await using var ecr = await StartEcrAsync();
        await moto.Server.PutSecureStringAsync(Home, "/e2e/wrong/cn-keys", Keys(AKeys, withRole ? $"arn:aws-cn:iam::{ChinaRole}:role/ecr-writer" : null));
        var image = new SampleImageBuilder(83).Image(SampleFormat.Oci, [10_000]);
        await SampleImagePusher.PushAsync(Client(ecr, AKeys, Home), "app", image, "v1");
        var settings = new Dictionary<string, string?>
        {
            ["DESTINATION_REGIONS"] = $"us-west-2,{destination}",
            ["DESTINATION_CREDENTIALS"] = $"{destination}=ssm:/e2e/wrong/cn-keys",
        };
        var record = E.Record("m1", E.Body(repository: "app", digest: image.Digest, tag: "v1", account: A, region: Home), "app", E.QueueArnOf(A, Home));

        var first = await RunFunctionAsync(ecr, settings, ReceivedFor(record, 1));

        // Retried: a refused key may be one IAM has not propagated yet. The other destination is written meanwhile.
        Assert.Equal("{\"batchItemFailures\":[{\"itemIdentifier\":\"m1\"}]}", first.Result.Body);
        Assert.Empty(first.DeadLetter.Sent);
        Assert.Contains($"Access key refused in {destination} ({errorType}) on receive 1 of the message: retried", first.Output, StringComparison.Ordinal);
        Assert.True(await new RegistryProbe(Client(ecr, AKeys, "us-west-2")).HasVerifiedImageAsync("app", image.Digest));

        var last = await RunFunctionAsync(ecr, settings, ReceivedFor(record, RecordHandlerGraceOver));

        // Processed, not retried: still refused after the grace, the key is wrong; the reason names the destination.
        Assert.True(last.Result.IsSuccess, last.Result.Body);
        Assert.Equal("{\"batchItemFailures\":[]}", last.Result.Body);
        var dead = Assert.Single(last.DeadLetter.Sent);
        Assert.Equal(errorType, dead.ErrorType);
        Assert.StartsWith($"{destination}: ", dead.Reason, StringComparison.Ordinal);

        // AWS's answer ("The security token included in the request is invalid") names neither the key nor its source:
        // the reason names the parameter to fix and the partition the key is unknown in.
        Assert.Contains("the access key read from SSM parameter /e2e/wrong/cn-keys (DESTINATION_CREDENTIALS) is unknown in partition aws-cn", dead.Reason, StringComparison.Ordinal);
        Assert.Contains("The security token included in the request is invalid", dead.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("Access key refused", last.Output, StringComparison.Ordinal);
        var china = destination.Split(':')[1];
        Assert.False(await new RegistryProbe(Client(ecr, withRole ? ChinaRoleKeys : ChinaKeys, china)).HasVerifiedImageAsync("app", image.Digest));
        Assert.DoesNotContain(AKeys.SecretAccessKey, first.Output + last.Output + dead.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_destination_credentials_dead_letter_the_message_with_the_reason_and_the_good_destination_is_written()
    {
        const string leaked = "Leaked/SecretInAMalformedParameter";
        await using var ecr = await StartEcrAsync();
        await moto.Server.PutSecureStringAsync(Home, "/e2e/bad/malformed", $"AccessKeyId={ChinaKeys.AccessKeyId} SecretAccessKey={leaked}");
        var image = new SampleImageBuilder(82).Image(SampleFormat.Oci, [10_000]);
        await SampleImagePusher.PushAsync(Client(ecr, AKeys, Home), "app", image, "v1");
        const string unknown = "999999999999";

        var run = await RunFunctionAsync(ecr, new()
        {
            ["DESTINATION_REGIONS"] = $"eu-west-1,{unknown}:us-west-2,{China}:cn-north-1,{ChinaRole}:cn-northwest-1",
            ["DESTINATION_CREDENTIALS"] = $"{China}:cn-north-1=ssm:/e2e/bad/missing,{ChinaRole}:cn-northwest-1=ssm:/e2e/bad/malformed",
        }, ReceivedFor(E.Record("m1", E.Body(repository: "app", digest: image.Digest, tag: "v1", account: A, region: Home), "app", E.QueueArnOf(A, Home)), RecordHandlerGraceOver));

        // Processed (not retried): the message is in the dead-letter queue with the reason, and no destination lost it.
        Assert.True(run.Result.IsSuccess, run.Result.Body);
        Assert.Equal("{\"batchItemFailures\":[]}", run.Result.Body);
        var dead = Assert.Single(run.DeadLetter.Sent);
        Assert.Equal(ReplicationErrorCodes.DestinationCredentialsUnavailable, dead.ErrorType);
        Assert.True(await new RegistryProbe(Client(ecr, AKeys, "eu-west-1")).HasVerifiedImageAsync("app", image.Digest));

        // Each destination's reason is logged, naming the role or parameter and what is wrong with it.
        Assert.Contains($"could not assume role arn:aws:iam::{unknown}:role/ecr-replicator-destination: AccessDenied", run.Output, StringComparison.Ordinal);
        Assert.Contains("SSM parameter /e2e/bad/missing does not exist", run.Output, StringComparison.Ordinal);
        Assert.Contains("SSM parameter /e2e/bad/malformed is not JSON", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(leaked, run.Output + dead.Reason, StringComparison.Ordinal);
    }

    /// <summary>The first receive past the AccessDenied grace (RecordHandler.AccessDeniedGraceReceives).</summary>
    private const int RecordHandlerGraceOver = Replicator.Function.Processing.RecordHandler.AccessDeniedGraceReceives + 1;

    [Fact]
    public async Task A_refused_AssumeRole_is_retried_on_the_first_receives_as_an_ECR_AccessDenied_is()
    {
        // A stack update that adds OtherAccountDestinations (or DestinationRoleArns) creates the sts:AssumeRole policy in
        // parallel with the function's new DESTINATION_REGIONS (docs/deploy.md, "Limits of the stack"): the first pushes
        // can meet a grant still on its way, as ECR's own writes do. They must be retried, not dead-lettered at once.
        await using var ecr = await StartEcrAsync();
        var image = new SampleImageBuilder(84).Image(SampleFormat.Oci, [10_000]);
        await SampleImagePusher.PushAsync(Client(ecr, AKeys, Home), "app", image, "v1");
        const string unknown = "999999999999";
        var settings = new Dictionary<string, string?> { ["DESTINATION_REGIONS"] = $"eu-west-1,{unknown}:us-west-2" };
        var record = E.Record("m1", E.Body(repository: "app", digest: image.Digest, tag: "v1", account: A, region: Home), "app", E.QueueArnOf(A, Home));

        var first = await RunFunctionAsync(ecr, settings, ReceivedFor(record, 1));

        Assert.Equal("{\"batchItemFailures\":[{\"itemIdentifier\":\"m1\"}]}", first.Result.Body);
        Assert.Empty(first.DeadLetter.Sent);
        Assert.Contains("AccessDenied on receive 1 of the message: retried", first.Output, StringComparison.Ordinal);
        Assert.True(await new RegistryProbe(Client(ecr, AKeys, "eu-west-1")).HasVerifiedImageAsync("app", image.Digest));

        var last = await RunFunctionAsync(ecr, settings, ReceivedFor(record, RecordHandlerGraceOver));

        Assert.Equal("{\"batchItemFailures\":[]}", last.Result.Body);
        Assert.Equal(ReplicationErrorCodes.DestinationCredentialsUnavailable, Assert.Single(last.DeadLetter.Sent).ErrorType);
    }

    private static SQSMessage ReceivedFor(SQSMessage record, int receive)
    {
        var attributes = new Dictionary<string, string>(record.Attributes)
        {
            ["ApproximateReceiveCount"] = receive.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        return new SQSMessage { MessageId = record.MessageId, Body = record.Body, Attributes = attributes, EventSourceArn = record.EventSourceArn, ReceiptHandle = "rh-" + record.MessageId };
    }

    [Fact]
    public async Task A_destination_in_another_partition_without_credentials_is_an_init_error()
    {
        await using var ecr = await StartEcrAsync();
        await using var api = await LocalRuntimeApi.StartAsync();
        var output = new SynchronizedStringWriter();
        var environment = Environment(ecr, api.Address, new() { ["DESTINATION_REGIONS"] = $"us-west-2,{China}:cn-north-1" });

        // The host ends by itself once Lambda has the init error; cancelling it earlier would race the POST.
        var exitCode = await Host(environment, output, new FakeDeadLetterQueue()).RunAsync(CancellationToken.None).WaitAsync(Wait);
        var init = await api.InitError.WaitAsync(Wait);

        Assert.Equal(1, exitCode);
        Assert.Equal(RuntimeErrorTypes.ConfigInvalid, init.ErrorType);
        Assert.Contains("DESTINATION_CREDENTIALS", init.Body, StringComparison.Ordinal);
        Assert.Contains("partition aws-cn", output.ToString(), StringComparison.Ordinal);
    }

    private static Task<LocalEcrServer> StartEcrAsync()
    {
        var options = new LocalEcrOptions { AccountId = A, AccessKey = AKeys.AccessKeyId, SecretKey = AKeys.SecretAccessKey };
        foreach (var (id, keys, partition) in new[] { (B, BKeys, "aws"), (China, ChinaKeys, "aws-cn"), (ChinaRole, ChinaRoleKeys, "aws-cn") })
        {
            options.OtherAccounts.Add(new LocalEcrAccount(id, keys.AccessKeyId, keys.SecretAccessKey, partition));
        }

        return LocalEcrServer.StartAsync(options);
    }

    private async Task<(LocalInvocationResult Result, string Output, FakeDeadLetterQueue DeadLetter)> RunFunctionAsync(LocalEcrServer ecr, Dictionary<string, string?> settings, SQSMessage record)
    {
        await using var api = await LocalRuntimeApi.StartAsync();
        var output = new SynchronizedStringWriter();
        var deadLetter = new FakeDeadLetterQueue();
        using var stop = new CancellationTokenSource();
        var host = Host(Environment(ecr, api.Address, settings), output, deadLetter).RunAsync(stop.Token);

        var payload = JsonSerializer.Serialize(new SQSEvent { Records = [record] }, EventJsonContext.Default.SQSEvent);
        var result = await api.InvokeAsync(payload, TimeSpan.FromMinutes(5)).WaitAsync(Wait);
        await stop.CancelAsync();
        await host.WaitAsync(Wait);
        return (result, output.ToString() + string.Join('\n', api.Log), deadLetter);
    }

    private DictionaryEnvironmentVariables Environment(LocalEcrServer ecr, string runtimeApi, Dictionary<string, string?> settings)
    {
        var values = new Dictionary<string, string?>
        {
            ["AWS_LAMBDA_RUNTIME_API"] = runtimeApi,
            ["AWS_REGION"] = Home,
            ["AWS_LAMBDA_LOG_LEVEL"] = "TRACE",
            ["DEAD_LETTER_QUEUE_URL"] = $"https://sqs.us-east-1.amazonaws.com/{A}/dlq.fifo",
            ["AWS_ENDPOINT_URL_ECR"] = ecr.BaseAddress.ToString(),
            ["AWS_ENDPOINT_URL_STS"] = ecr.BaseAddress.ToString(),
            ["AWS_ENDPOINT_URL_SSM"] = moto.Server.Endpoint.ToString(),
        };
        foreach (var (name, value) in settings)
        {
            values[name] = value;
        }

        return new DictionaryEnvironmentVariables(values);
    }

    /// <summary>The function as Program.cs composes it, with A's keys as the Lambda role's credentials.</summary>
    private FunctionHost Host(IEnvironmentVariables environment, TextWriter output, FakeDeadLetterQueue deadLetter) => new()
    {
        Environment = environment,
        Output = output,
        ReplicatorFactory = (config, observer) => ReplicatorServices.Create(
            environment, config.ToReplicatorOptions(), new StaticCredentialsSource(AKeys), observer, access: config.Access, homeRegion: config.Region),
        DeadLetterQueueFactory = _ => deadLetter,

        // No transient failure is expected here; a redelivery delay would be recorded, not sent to SQS.
        MessageVisibilityFactory = _ => new RecordingMessageVisibility(),
    };

    private static IEcrClient Client(LocalEcrServer ecr, AwsCredentials keys, string region) =>
        new EcrClient(new HttpClient(), new StaticCredentialsSource(keys), new EcrClientConfig(region) { ServiceUrl = ecr.BaseAddress });

    private static string Keys(AwsCredentials keys, string? roleArn = null) =>
        JsonSerializer.Serialize(new Dictionary<string, string?> { ["AccessKeyId"] = keys.AccessKeyId, ["SecretAccessKey"] = keys.SecretAccessKey, ["RoleArn"] = roleArn });
}
