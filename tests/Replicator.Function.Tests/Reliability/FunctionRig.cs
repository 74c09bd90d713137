using System.Security.Cryptography;
using System.Text;
using E = Replicator.Function.Tests.Support.Events;
using LocalEcr;
using Replicator.Core.Configuration;
using Replicator.Core.Copy;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Replication;
using Replicator.Core.Resilience;
using Replicator.Core.Signing;
using Replicator.Function.Configuration;
using Replicator.Function.Events;
using Replicator.Function.Observability;
using Replicator.Function.Processing;
using Replicator.Function.ReplicatedEvents;
using Replicator.Function.Tests.Support;
using Replicator.Samples;
using Replicator.Testing;

namespace Replicator.Function.Tests.Reliability;

/// <summary>
/// The function's batch processing with the real engine against an in-process LocalEcr on a loopback port:
/// faults are injected through <see cref="Server"/>, poison messages land in <see cref="DeadLetter"/>, and every
/// log and metric line is captured in <see cref="Output"/>.
/// </summary>
internal sealed class FunctionRig : IAsyncDisposable
{
    public const string Source = "us-east-1";
    public const string West = "us-west-2";
    public const string Europe = "eu-west-1";

    private readonly EcrClientFactory _operator;
    private readonly Func<HttpClient, EcrClientFactory> _clientsOn;
    private int _messageIds;

    private FunctionRig(LocalEcrServer server, CuttingProxy? proxy, HttpClient http, EcrClientFactory clients, EcrClientFactory operatorClients, Func<HttpClient, EcrClientFactory> clientsOn, ImageReplicator replicator)
    {
        _clientsOn = clientsOn;
        Server = server;
        Proxy = proxy;
        Http = http;
        Clients = clients;
        _operator = operatorClients;
        Replicator = replicator;
        var sink = new OutputSink(Output); // shared by both, as in FunctionHost (see Harness)
        Logger = new FunctionLogger(sink, LogLevel.Debug, LogFormat.Json, TimeProvider.System);
        Metrics = new MetricsWriter(sink, Config.MetricsNamespace, TimeProvider.System);
        Handler = new RecordHandler(Config, Replicator, Logger, Metrics, TimeProvider.System);
        Processor = NewProcessor(Replicator);
    }

    /// <summary>
    /// Retries fast (the delays are real); http download URLs as with an endpoint override. The production read
    /// timeout: tests count downloads, and a short one would add a resumed GET whenever a loaded machine pauses the
    /// copy that long; a test of stalls sets its own. For the same reason a fan-out grace of minutes: the two
    /// destinations read their state concurrently, and past the production 5 s a late one gets a download of its own;
    /// and a fall-behind timeout of minutes, so that a paused upload does not fail its destination.
    /// </summary>
    public static ReplicatorOptions FastOptions { get; } = new()
    {
        Retry = new RetrySettings { BaseDelay = TimeSpan.FromMilliseconds(1), ThrottlingBaseDelay = TimeSpan.FromMilliseconds(2), MaxDelay = TimeSpan.FromMilliseconds(20) },
        BlobCopy = new BlobCopyOptions { AllowInsecureDownloads = true, FanOutGrace = TimeSpan.FromMinutes(2), FallBehindTimeout = TimeSpan.FromMinutes(2) },
        PutImageRatePerSecond = 1000,
    };

    public static FunctionConfig Config { get; } = new()
    {
        Region = Source,
        Destinations = [new ReplicationDestination(West), new ReplicationDestination(Europe)],
        DeadLetterQueueUrl = new Uri("https://sqs.us-east-1.amazonaws.com/000000000000/replicator-dlq.fifo"),
    };

    public LocalEcrServer Server { get; }

    /// <summary>Set when started with throughProxy: the engine's ECR API calls pass through it (downloads do not).</summary>
    public CuttingProxy? Proxy { get; }

    public HttpClient Http { get; }

    public EcrClientFactory Clients { get; }

    public ImageReplicator Replicator { get; }

    public StringWriter Output { get; } = new SynchronizedStringWriter();

    public FakeDeadLetterQueue DeadLetter { get; } = new();

    public FunctionLogger Logger { get; }

    public MetricsWriter Metrics { get; }

    public RecordHandler Handler { get; }

    public BatchProcessor Processor { get; }

    /// <param name="requestTimeout">
    /// The engine's ECR clients' per-request timeout; by default the production one (<see cref="EcrClientConfig.DefaultTimeout"/>),
    /// as tests count calls and a short one would retry, and count twice, any call a loaded machine pauses that long. A
    /// test of stalls sets its own, with <paramref name="clientClock"/>.
    /// </param>
    /// <param name="clientClock">
    /// The engine's ECR clients' clock (their request timeout and signing time). A fake one lets a test time a call
    /// out by advancing it, with no wall-clock deadline a busy machine could miss or hit by accident.
    /// </param>
    public static async Task<FunctionRig> StartAsync(
        ReplicatorOptions? options = null,
        TimeSpan? requestTimeout = null,
        IReplicationObserver? observer = null,
        LocalEcrOptions? server = null,
        bool throughProxy = false,
        TimeProvider? clientClock = null)
    {
        var ecr = await LocalEcrServer.StartAsync(server ?? new LocalEcrOptions());
        var proxy = throughProxy ? new CuttingProxy(ecr.BaseAddress) : null;
        var http = EcrClientFactory.CreateHttpClient();
        var endpoint = proxy?.Address ?? ecr.BaseAddress;
        var environment = DictionaryEnvironmentVariables.Of(new Dictionary<string, string> { ["AWS_ENDPOINT_URL_ECR"] = endpoint.ToString() });
        var credentials = new StaticCredentialsSource(new AwsCredentials(server?.AccessKey ?? "test", server?.SecretKey ?? "test"));
        EcrClientFactory ClientsOn(HttpClient on) => new(on, credentials, environment, clientClock, requestTimeout ?? EcrClientConfig.DefaultTimeout);
        var clients = ClientsOn(http);

        // The test's own setup and probes on the system clock, whatever the engine's clock and timeout.
        var operatorClients = new EcrClientFactory(http, credentials, environment, timeout: EcrClientConfig.DefaultTimeout);
        return new FunctionRig(ecr, proxy, http, clients, operatorClients, ClientsOn, new ImageReplicator(clients, http, options ?? FastOptions, observer: observer));
    }

    /// <summary>
    /// Another function instance (its own engine, connection pool and in-flight table) on the same LocalEcr; with
    /// <paramref name="config"/>, one configured otherwise (other destinations, say).
    /// </summary>
    /// <param name="replicatedEvents">With <c>ReplicatedEventBus</c> set in <paramref name="config"/>: the publisher of the "ECR Image Replicated" events.</param>
    public BatchProcessor NewProcessor(IImageReplicator replicator, FunctionConfig? config = null, ReplicatedEventPublisher? replicatedEvents = null) =>
        new(new RecordHandler(config ?? Config, replicator, Logger, Metrics, TimeProvider.System, replicatedEvents), DeadLetter, Logger, new BatchProcessorOptions());

    public ImageReplicator NewEngine(ReplicatorOptions? options = null) => new(Clients, Http, options ?? FastOptions);

    /// <summary>An engine whose ECR calls and downloads all go through <paramref name="http"/> (a client the test closes on its own).</summary>
    public ImageReplicator NewEngine(HttpClient http, ReplicatorOptions options, IReplicationObserver? observer = null) =>
        new(_clientsOn(http), http, options, observer: observer);

    /// <summary>A client for the test's setup and probes (not the engine's).</summary>
    public IEcrClient Client(string region) => _operator.GetClient(region);

    public RegistryProbe Probe(string region) => new(Client(region));

    public async Task<SampleImage> PushAsync(string repository, ulong seed, string? tag, params long[] layerSizes)
    {
        var image = new SampleImageBuilder(seed).Image(SampleFormat.Oci, layerSizes.Length == 0 ? [20_000] : layerSizes);
        await SampleImagePusher.PushAsync(Client(Source), repository, image, tag);
        return image;
    }

    public SQSMessage Message(string repository, string digest, string? tag, string? group = null, string detailType = EcrEventParser.ExpectedDetailType) =>
        E.Record($"msg-{Interlocked.Increment(ref _messageIds)}", E.Body(repository: repository, digest: digest, tag: tag, account: Server.AccountId, region: Source, detailType: detailType), group ?? repository, E.QueueArnOf(Server.AccountId, Source));

    public Task<SQSBatchResponse> ProcessAsync(params SQSMessage[] records) => ProcessAsync(Processor, CancellationToken.None, records);

    public static Task<SQSBatchResponse> ProcessAsync(BatchProcessor processor, CancellationToken cancellationToken, params SQSMessage[] records) =>
        processor.ProcessAsync(E.Batch(records), new FakeLambdaContext(TimeProvider.System, TimeSpan.FromMinutes(5)), cancellationToken);

    public static string[] Failed(SQSBatchResponse response) => [.. response.BatchItemFailures.Select(f => f.ItemIdentifier!)];

    /// <summary>The digest the tag points at in <paramref name="region"/>, or null.</summary>
    public Task<string?> TagDigestAsync(string region, string repository, string tag) => Probe(region).TagDigestAsync(repository, tag);

    /// <summary>True when the region stores a manifest under <paramref name="digest"/> whose bytes hash to it.</summary>
    public Task<bool> HasVerifiedImageAsync(string region, string repository, string digest) => Probe(region).HasVerifiedImageAsync(repository, digest);

    public Task<bool> HasBlobAsync(string region, string repository, string digest) => Probe(region).HasBlobAsync(repository, digest);

    /// <summary>The image is in both destinations, verified by digest, and the tag (when given) points at it.</summary>
    public async Task AssertReplicatedAsync(string repository, SampleImage image, string? tag)
    {
        foreach (var region in new[] { West, Europe })
        {
            Assert.True(await HasVerifiedImageAsync(region, repository, image.Digest), $"{image.Digest} missing in {region}");
            if (tag is not null)
            {
                Assert.Equal(image.Digest, await TagDigestAsync(region, repository, tag));
            }
        }
    }

    /// <summary>DeleteRepository with force, as an operator would (the engine's client has no such call).</summary>
    public async Task DeleteRepositoryAsync(string region, string repository)
    {
        var body = Encoding.UTF8.GetBytes($"{{\"repositoryName\":\"{repository}\",\"force\":true}}");
        var target = EcrClient.TargetPrefix + "DeleteRepository";
        KeyValuePair<string, string>[] headers = [new("host", Server.BaseAddress.Authority), new("x-amz-target", target)];
        var signature = SigV4Signer.Sign(new SigV4Request("POST", "/", [], headers, SigV4Signer.Sha256Hex(body)), new AwsCredentials("test", "test"), region, EcrClient.SigningService, DateTimeOffset.UtcNow);
        using var request = new HttpRequestMessage(HttpMethod.Post, Server.BaseAddress) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(EcrClient.ContentType);
        request.Headers.Add("X-Amz-Target", target);
        foreach (var (name, value) in signature.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await Http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }

        await Server.DisposeAsync();
    }
}
