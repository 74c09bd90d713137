using LocalEcr;
using LocalLambdaHost;
using Replicator.Core.Composition;
using Replicator.Core.Configuration;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Replication;
using Replicator.Core.Signing;
using Replicator.Function.Events;
using Replicator.Function.Tests.Support;
using Replicator.Samples;
using Replicator.Testing;
using static Replicator.Function.Tests.Reliability.FunctionRig;

namespace Replicator.Function.Tests.Reliability;

/// <summary>
/// The whole function (FunctionHost, runtime loop, batch processing, real engine from ReplicatorServices.Create) on a
/// faulty batch against LocalEcr, with recognisable secrets: none of them, and no download URL, appears in any log
/// or metric line, response, exception message or dead-letter reason.
/// </summary>
public sealed class SecretScanTests(Destinations.MotoFixture moto) : IClassFixture<Destinations.MotoFixture>
{
    private const string AccessKeyId = "AKIARELIABILITY7TEST";
    private const string SecretKey = "reliability/SecretKey+DoNotLog0123456789";
    private const string SessionToken = "ReliabilitySessionToken/DoNotLog+FwoGZXIvYXdzEBYaDHqa0AP1bXNRlrmXNy";

    [Fact]
    public async Task No_secret_or_download_url_reaches_any_output_of_a_faulty_batch()
    {
        await using var ecr = await LocalEcrServer.StartAsync(new LocalEcrOptions { AccessKey = AccessKeyId, SecretKey = SecretKey, SessionToken = SessionToken });
        await using var api = await LocalRuntimeApi.StartAsync();
        var credentials = new StaticCredentialsSource(new AwsCredentials(AccessKeyId, SecretKey, SessionToken));
        var endpoint = DictionaryEnvironmentVariables.Of(new Dictionary<string, string> { ["AWS_ENDPOINT_URL_ECR"] = ecr.BaseAddress.ToString() });
        using var engine = ReplicatorServices.Create(endpoint, FastOptions with { BlobCopy = FastOptions.BlobCopy with { AllowInsecureDownloads = false } }, credentials);
        var source = engine.Clients.GetClient(Source);

        var good = new SampleImageBuilder(50).Image(SampleFormat.Oci, [3_000_000, 20_000]);
        var rotten = new SampleImageBuilder(51).Image(SampleFormat.Oci, [200_000]);
        var cut = new SampleImageBuilder(52).Image(SampleFormat.Oci, [300_000]);
        var conflict = new SampleImageBuilder(53).Image(SampleFormat.Oci, [10_000]);
        var gone = new SampleImageBuilder(54).Image(SampleFormat.Oci, [10_000]);
        foreach (var (repository, image) in new[] { ("good", good), ("rotten", rotten), ("cut", cut), ("locked", conflict), ("gone", gone) })
        {
            await SampleImagePusher.PushAsync(source, repository, image, "v1");
        }

        var west = engine.Clients.GetClient(West);
        await west.CreateRepositoryAsync(new CreateRepositoryRequest { RepositoryName = "locked", ImageTagMutability = ImageTagMutability.Immutable });
        await SampleImagePusher.PushAsync(west, "locked", new SampleImageBuilder(55).Image(SampleFormat.Oci, [1_000]), "v1");
        await source.BatchDeleteImageAsync(new BatchDeleteImageRequest { RepositoryName = "gone", ImageIds = [new ImageIdentifier { ImageDigest = gone.Digest }] });
        ecr.Faults.CorruptDownload(offset: 7, digest: rotten.Blobs.Single(b => b.Size == 200_000).Digest, count: 1_000);
        ecr.Faults.CutDownloadAfter(5_000, cut.Blobs.Single(b => b.Size == 300_000).Digest, count: 1_000);
        ecr.Faults.FailNext("PutImage", 40, "ThrottlingException", 400);
        ecr.Faults.FailNext("InitiateLayerUpload", 2, null, 503);

        var output = new SynchronizedStringWriter();
        var deadLetter = new FakeDeadLetterQueue();
        var visibility = new RecordingMessageVisibility();
        using var stop = new CancellationTokenSource();
        var host = new FunctionHost
        {
            Environment = new DictionaryEnvironmentVariables(new Dictionary<string, string?>
            {
                ["AWS_LAMBDA_RUNTIME_API"] = api.Address,
                ["AWS_REGION"] = Source,
                ["DESTINATION_REGIONS"] = $"{West},{Europe}",
                ["DEAD_LETTER_QUEUE_URL"] = "https://sqs.us-east-1.amazonaws.com/000000000000/dlq.fifo",
                ["AWS_LAMBDA_LOG_LEVEL"] = "TRACE",
                ["AWS_ACCESS_KEY_ID"] = AccessKeyId,
                ["AWS_SECRET_ACCESS_KEY"] = SecretKey,
                ["AWS_SESSION_TOKEN"] = SessionToken,
                ["AWS_ENDPOINT_URL_ECR"] = ecr.BaseAddress.ToString(),
            }),
            Output = output,
            ReplicatorFactory = (_, _) => engine,
            DeadLetterQueueFactory = _ => deadLetter,
            MessageVisibilityFactory = _ => visibility,
        }.RunAsync(stop.Token);

        var records = new[]
        {
            Record("m1", "good", good.Digest),
            Record("m2", "rotten", rotten.Digest),
            Record("m3", "cut", cut.Digest),
            Record("m4", "locked", conflict.Digest),
            Record("m5", "gone", gone.Digest),
            new SQSMessage { MessageId = "m6", Body = "{\"detail\":{\"repository-name\":\"../" + SecretKey + "\"}}", Attributes = new Dictionary<string, string> { ["MessageGroupId"] = "bad" } },
        };
        var payload = System.Text.Json.JsonSerializer.Serialize(new SQSEvent { Records = [.. records] }, EventJsonContext.Default.SQSEvent);
        var results = new List<LocalInvocationResult>();
        for (var i = 0; i < 2; i++)
        {
            results.Add(await api.InvokeAsync(payload, TimeSpan.FromMinutes(5)).WaitAsync(TimeSpan.FromMinutes(2)));
        }

        await stop.CancelAsync();
        await host.WaitAsync(TimeSpan.FromSeconds(30));

        var captured = string.Join('\n', results.Select(r => r.Body + " " + r.ErrorType)
            .Append(output.ToString())
            .Concat(api.Log)
            .Concat(deadLetter.Sent.Select(m => $"{m.ErrorType} {m.Reason}")));

        // The batch really was faulty: failures of several kinds were logged, dead-lettered and reported.
        Assert.Contains("BlobDigestMismatch", captured, StringComparison.Ordinal);
        Assert.Contains("BlobDownloadFailed", captured, StringComparison.Ordinal);
        Assert.Contains("ImmutableTagConflict", captured, StringComparison.Ordinal);
        Assert.Contains("\"outcome\":\"Skipped\"", captured, StringComparison.Ordinal);
        Assert.Contains(deadLetter.Sent, m => m.ErrorType == "InvalidEvent");
        Assert.True(ecr.Calls.Count(Source, "DownloadLayer") > 5, "download URLs were issued and used");
        foreach (var secret in new[] { SecretKey, SessionToken, "SecretKey+DoNotLog", "DoNotLog+FwoGZXIvYXdzEBYaDHqa0AP1", "_blobs/" })
        {
            Assert.DoesNotContain(secret, captured, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task No_assumed_role_session_or_SSM_held_key_reaches_any_output()
    {
        const string source = "111111111111";
        const string other = "222222222222";
        const string china = "333333333333";
        var sourceKeys = new AwsCredentials("AKIASCANSOURCE000001", "scan/SourceSecretKey0123456789abcdefABCDEF");
        var chinaKeys = new AwsCredentials("AKIASCANCHINA0000001", "scan/ChinaSecretKeyFromSsm0123456789abcdef");
        const string malformedSecret = "scan/MalformedParameterSecret0123456789abcd";
        var options = new LocalEcrOptions { AccountId = source, AccessKey = sourceKeys.AccessKeyId, SecretKey = sourceKeys.SecretAccessKey };
        options.OtherAccounts.Add(new LocalEcrAccount(other, "AKIASCANOTHER0000001", "scan/OtherSecret"));
        options.OtherAccounts.Add(new LocalEcrAccount(china, chinaKeys.AccessKeyId, chinaKeys.SecretAccessKey, "aws-cn"));
        await using var ecr = await LocalEcrServer.StartAsync(options);
        await using var api = await LocalRuntimeApi.StartAsync();
        await moto.Server.PutSecureStringAsync(Source, "/scan/cn", $"{{\"AccessKeyId\":\"{chinaKeys.AccessKeyId}\",\"SecretAccessKey\":\"{chinaKeys.SecretAccessKey}\"}}");
        await moto.Server.PutSecureStringAsync(Source, "/scan/bad", $"{{\"AccessKeyId\":\"AKIA\",\"SecretAccessKey\":{malformedSecret}}}");
        var image = new SampleImageBuilder(60).Image(SampleFormat.Oci, [50_000]);
        await SampleImagePusher.PushAsync(new Replicator.Core.Ecr.EcrClient(new HttpClient(), new StaticCredentialsSource(sourceKeys), new Replicator.Core.Ecr.EcrClientConfig(Source) { ServiceUrl = ecr.BaseAddress }), "app", image, "v1");

        var environment = new DictionaryEnvironmentVariables(new Dictionary<string, string?>
        {
            ["AWS_LAMBDA_RUNTIME_API"] = api.Address,
            ["AWS_REGION"] = Source,
            ["DESTINATION_REGIONS"] = $"{other}:{West},{china}:cn-north-1,{china}:cn-northwest-1",
            ["DESTINATION_CREDENTIALS"] = $"{china}:cn-north-1=ssm:/scan/cn,{china}:cn-northwest-1=ssm:/scan/bad",
            ["DESTINATION_EXTERNAL_ID"] = "scan-external-id",
            ["DEAD_LETTER_QUEUE_URL"] = $"https://sqs.us-east-1.amazonaws.com/{source}/dlq.fifo",
            ["AWS_LAMBDA_LOG_LEVEL"] = "TRACE",
            ["AWS_ENDPOINT_URL_ECR"] = ecr.BaseAddress.ToString(),
            ["AWS_ENDPOINT_URL_STS"] = ecr.BaseAddress.ToString(),
            ["AWS_ENDPOINT_URL_SSM"] = moto.Server.Endpoint.ToString(),
        });
        var output = new SynchronizedStringWriter();
        var deadLetter = new FakeDeadLetterQueue();
        using var stop = new CancellationTokenSource();
        var host = new FunctionHost
        {
            Environment = environment,
            Output = output,
            ReplicatorFactory = (config, _) => ReplicatorServices.Create(environment, config.ToReplicatorOptions(), new StaticCredentialsSource(sourceKeys), access: config.Access, homeRegion: config.Region),
            DeadLetterQueueFactory = _ => deadLetter,
            MessageVisibilityFactory = _ => new RecordingMessageVisibility(),
        }.RunAsync(stop.Token);

        var payload = System.Text.Json.JsonSerializer.Serialize(
            new SQSEvent { Records = [Support.Events.Record("m1", Support.Events.Body(repository: "app", digest: image.Digest, tag: "v1", account: source, region: Source), "app", Support.Events.QueueArnOf(source, Source))] },
            EventJsonContext.Default.SQSEvent);
        var result = await api.InvokeAsync(payload, TimeSpan.FromMinutes(5)).WaitAsync(TimeSpan.FromMinutes(2));
        await stop.CancelAsync();
        await host.WaitAsync(TimeSpan.FromSeconds(30));

        var captured = string.Join('\n', new[] { result.Body + " " + result.ErrorType, output.ToString() }
            .Concat(api.Log)
            .Concat(deadLetter.Sent.Select(m => $"{m.ErrorType} {m.Reason}")));

        // The batch really used a role session and both parameters: one destination failed on the malformed one.
        Assert.Equal(1, ecr.Calls.Count(Source, "sts:AssumeRole"));
        Assert.Contains("SSM parameter /scan/bad is not JSON", captured, StringComparison.Ordinal);
        Assert.Contains("\"outcome\":\"Replicated\"", captured, StringComparison.Ordinal);
        foreach (var secret in new[] { sourceKeys.SecretAccessKey, chinaKeys.SecretAccessKey, malformedSecret, "MalformedParameterSecret", "IQoJb3JpZ2luX2VjE", "scan-external-id" })
        {
            Assert.DoesNotContain(secret, captured, StringComparison.Ordinal);
        }
    }

    private static SQSMessage Record(string id, string repository, string digest) =>
        Support.Events.Record(id, Support.Events.Body(repository: repository, digest: digest, tag: "v1", region: Source), repository);
}
