using System.Text.Json;
using LocalEcr;
using Replicator.Cli.Composition;
using Replicator.Cli.Output;
using Replicator.Core.Configuration;
using Replicator.Core.Ecr;
using Replicator.Core.Signing;
using Replicator.Samples;

namespace Replicator.Cli.Demo;

/// <summary>
/// The offline demo: a LocalEcr in-process (free port, temporary data), a multi-arch image with an attestation pushed
/// into the source region, the events that push produces in one SQS FIFO batch, the function's handler run on it,
/// then the proof read back from every destination. Deterministic: a fixed seed gives the same digests every run.
/// </summary>
public sealed class DemoScenario(CliContext context, IDemoFunction function)
{
    public const string SourceRegion = "us-east-1";
    public const string Repository = "demo/app";
    public const string Tag = "v1";
    public const ulong Seed = 2026;

    public static readonly IReadOnlyList<string> Destinations = ["us-west-2", "eu-west-1"];

    /// <summary>Two layers per platform, the first shared by both, so the copy has something to deduplicate.</summary>
    private static readonly long[] LayerSizes = [256 * 1024, 64 * 1024];

    /// <summary>The demo's image: a linux/amd64 + linux/arm64 OCI index with an attestation, the same for the same seed.</summary>
    public static SampleImage SampleImage(ulong seed) => new SampleImageBuilder(seed).MultiArch(SampleFormat.Oci, LayerSizes, withAttestation: true);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var console = new CliConsole(context);
        // Every call of the demo is to its own LocalEcr on 127.0.0.1: an HTTP_PROXY the machine exports (with no NO_PROXY
        // naming loopback) sent them all to the proxy, and the offline demo failed at its first push.
        LoopbackDirectProxy.Install();
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { Port = 0 }, cancellationToken);
        console.Line($"LocalEcr listening on {server.BaseAddress} (temporary data, deleted at exit)");

        var environment = new InMemoryEnvironmentVariables(new Dictionary<string, string>
        {
            ["AWS_REGION"] = SourceRegion,
            ["DESTINATION_REGIONS"] = string.Join(',', Destinations),
            ["AWS_ENDPOINT_URL_ECR"] = server.BaseAddress.ToString(),
            ["AWS_LAMBDA_LOG_FORMAT"] = "JSON",
            ["AWS_LAMBDA_LOG_LEVEL"] = "INFO",
        });
        using var http = new HttpClient();
        var clients = new EcrClientFactory(http, new StaticCredentialsSource(new AwsCredentials(LocalEcrKeys.AccessKey, LocalEcrKeys.SecretKey)), environment, context.Time);

        var image = SampleImage(Seed);
        await SampleImagePusher.PushAsync(clients.GetClient(SourceRegion), Repository, image, Tag, cancellationToken);
        console.Line($"Pushed {Repository}:{Tag} to {SourceRegion}: {image.Manifests.Count - 1} manifests under an OCI index {Format.ShortDigest(image.Digest)}, {image.Blobs.Count} blobs, {Format.Bytes(image.TotalBlobBytes)}");

        var now = context.Time.GetUtcNow();
        var events = DemoEvents.ForPush(server.AccountId, SourceRegion, Repository, image, Tag, now);
        var batch = DemoEvents.Batch(events, $"arn:{Replicator.Core.Partitions.AwsPartitions.IdOf(SourceRegion)}:sqs:{SourceRegion}:{server.AccountId}:ecr-replicator.fifo", SourceRegion, now);
        console.Line($"Built {events.Count} \"ECR Image Action\" PUSH events ({events.Count(e => e.Detail.ImageTag is null)} by digest, 1 tagged) in one SQS FIFO batch");

        console.Line($"Running the function handler with DESTINATION_REGIONS={string.Join(',', Destinations)}");
        var invocation = await function.InvokeAsync(DemoEvents.Serialize(batch), new DemoWiring(environment, clients, http, context.Time), cancellationToken);
        var summary = FunctionOutputSummary.Summarise(invocation.OutputLines, out var metricLines);
        foreach (var line in summary)
        {
            console.Dim("  function: " + line);
        }

        var failures = BatchFailures(invocation.ResponseJson);
        console.Dim($"  function: {metricLines} EMF metric line(s); batch response {invocation.ResponseJson}");

        var rows = await DemoProof.CollectAsync(clients, Destinations, Repository, image, Tag, cancellationToken);
        console.Write(DemoTable.Render(rows, Destinations));
        if (failures > 0)
        {
            console.Error($"the function reported {failures} failed record(s)");
        }

        var proved = failures == 0 && rows.All(r => r.Matches);
        console.Line(proved ? "Proof holds: every destination serves the same digests as the source." : "Proof failed: see the table above.");
        return proved ? ExitCodes.Success : ExitCodes.Failed;
    }

    /// <summary>The number of batchItemFailures; a response that is not the documented shape counts as a failure.</summary>
    private static int BatchFailures(string responseJson)
    {
        try
        {
            using var document = JsonDocument.Parse(responseJson);
            return document.RootElement.TryGetProperty("batchItemFailures", out var failures) && failures.ValueKind == JsonValueKind.Array
                ? failures.GetArrayLength()
                : 1;
        }
        catch (JsonException)
        {
            return 1;
        }
    }
}
