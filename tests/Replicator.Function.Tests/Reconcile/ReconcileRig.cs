using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using LocalEcr;
using Replicator.Core.Composition;
using Replicator.Core.Destinations;
using Replicator.Core.Ecr;
using Replicator.Core.Reconciliation;
using Replicator.Core.Replication;
using Replicator.Core.Resilience;
using Replicator.Core.Signing;
using Replicator.Function.Enqueue;
using Replicator.Function.Events;
using Replicator.Samples;
using Replicator.Testing;

namespace Replicator.Function.Tests.Reconcile;

/// <summary>LocalEcr with a source and a destination region, the engine on it, and the reconciler's reads through the engine's clients.</summary>
internal sealed class ReconcileRig : IAsyncDisposable
{
    public const string Account = "000000000000";
    public const string Source = "us-east-1";
    public const string West = "us-west-2";
    public const string Europe = "eu-west-1";

    private static readonly ReplicatorOptions FastOptions = new()
    {
        Retry = new RetrySettings { BaseDelay = TimeSpan.FromMilliseconds(1), ThrottlingBaseDelay = TimeSpan.FromMilliseconds(2), MaxDelay = TimeSpan.FromMilliseconds(20) },
        BlobCopy = new() { AllowInsecureDownloads = true, ReadTimeout = TimeSpan.FromSeconds(5) },
        PutImageRatePerSecond = 1000,
    };

    private readonly List<IDisposable> _owned = [];

    private ReconcileRig(LocalEcrServer server, HttpClient http, EcrClientFactory clients)
    {
        Server = server;
        Http = http;
        Clients = clients;
        Engine = new ImageReplicator(clients, http, FastOptions);
    }

    public LocalEcrServer Server { get; }

    public HttpClient Http { get; }

    public EcrClientFactory Clients { get; }

    public ImageReplicator Engine { get; }

    public static IReadOnlyList<ReplicationDestination> Destinations { get; } = [new(West)];

    public static async Task<ReconcileRig> StartAsync()
    {
        var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { Port = 0 });
        var http = new HttpClient();
        var environment = DictionaryEnvironmentVariables.Of(new Dictionary<string, string> { ["AWS_ENDPOINT_URL_ECR"] = server.BaseAddress.ToString() });
        return new ReconcileRig(server, http, new EcrClientFactory(http, new StaticCredentialsSource(new AwsCredentials("test", "test")), environment));
    }

    public IEcrClient Client(string region) => Clients.GetClient(region);

    public Task PushAsync(string region, string repository, SampleImage image, string? tag) =>
        SampleImagePusher.PushAsync(Client(region), repository, image, tag);

    /// <summary>The reconciler as the function builds it: the engine's retrying clients, the function's selection.</summary>
    public DriftScanner Scanner(DriftSelection? selection = null) =>
        new(Engine.Clients.GetClient(Source), Engine.DestinationClients, Destinations, RepositoryMapping.Identity, selection ?? new DriftSelection());

    /// <summary>
    /// <see cref="Scanner(DriftSelection?)"/> whose ECR calls first tell <paramref name="onCall"/> the operation (the
    /// X-Amz-Target's last part) and the call's token: a test moves its clock there, as time passes during real calls.
    /// </summary>
    public DriftScanner Scanner(Action<string, CancellationToken> onCall, DriftSelection? selection = null) => Scanner(onCall, selection, paging: null);

    /// <summary><see cref="Scanner(Action{string, CancellationToken}, DriftSelection?)"/> with the listings' page sizes.</summary>
    /// <param name="onCall">Told each call's operation first.</param>
    /// <param name="selection">What to look at.</param>
    /// <param name="paging">The listings' page sizes.</param>
    /// <param name="withoutSubjects">
    /// True: DescribeImages answers without <c>subjectManifestDigest</c>, so a repository holding artifacts has its
    /// referrers asked of ListImageReferrers, subject by subject.
    /// </param>
    public DriftScanner Scanner(Action<string, CancellationToken> onCall, DriftSelection? selection, DriftScanPaging? paging, bool withoutSubjects = false) =>
        Scanner(new CallHook(onCall) { InnerHandler = withoutSubjects ? new WithoutSubjects { InnerHandler = new HttpClientHandler() } : new HttpClientHandler() }, selection, paging);

    /// <summary>
    /// A scanner whose <paramref name="operation"/> pages answer, from the second page on, the nextToken they were sent,
    /// as a server that loops would; DescribeImages answers without <c>subjectManifestDigest</c> when
    /// <paramref name="withoutSubjects"/>.
    /// </summary>
    public DriftScanner ScannerRepeatingTokens(string operation, DriftSelection? selection, DriftScanPaging? paging, bool withoutSubjects = false) =>
        Scanner(new RepeatedToken(operation) { InnerHandler = withoutSubjects ? new WithoutSubjects { InnerHandler = new HttpClientHandler() } : new HttpClientHandler() }, selection, paging);

    private DriftScanner Scanner(HttpMessageHandler handler, DriftSelection? selection, DriftScanPaging? paging)
    {
        var http = new HttpClient(handler);
        _owned.Add(http);
        var environment = DictionaryEnvironmentVariables.Of(new Dictionary<string, string> { ["AWS_ENDPOINT_URL_ECR"] = Server.BaseAddress.ToString() });
        var engine = new ImageReplicator(new EcrClientFactory(http, new StaticCredentialsSource(new AwsCredentials("test", "test")), environment), http, FastOptions);
        return new(engine.Clients.GetClient(Source), engine.DestinationClients, Destinations, RepositoryMapping.Identity, selection ?? new DriftSelection(), paging: paging);
    }

    /// <summary>
    /// A scanner over <paramref name="destinations"/> whose credentials follow the function's rules (a destination of
    /// another account through a role there, assumed from LocalEcr's STS on the same endpoint), as
    /// <see cref="ReplicatorServices"/> builds them; the rig disposes the services.
    /// </summary>
    public DriftScanner ScannerWithAccess(IReadOnlyList<ReplicationDestination> destinations, DriftSelection? selection = null)
    {
        var environment = DictionaryEnvironmentVariables.Of(new Dictionary<string, string>
        {
            ["AWS_ENDPOINT_URL_ECR"] = Server.BaseAddress.ToString(),
            ["AWS_ENDPOINT_URL_STS"] = Server.BaseAddress.ToString(),
        });
        var services = ReplicatorServices.Create(
            environment, FastOptions, new StaticCredentialsSource(new AwsCredentials("test", "test")), access: DestinationAccess.Parse(null, null, null, null, destinations, Source), homeRegion: Source);
        _owned.Add(services);
        return new(services.Replicator.Clients.GetClient(Source), services.Replicator.DestinationClients, destinations, RepositoryMapping.Identity, selection ?? new DriftSelection());
    }

    /// <summary>What the function does with a queued event: parse it, replicate (or delete) to the destinations.</summary>
    public async Task ReplicateAsync(string body)
    {
        var action = EcrEventParser.Parse(body);
        var request = new ReplicationRequest(new ImageReference(action.Account, action.Region, action.RepositoryName, action.Digest, action.Tag), Destinations);
        var result = action.ActionType == ImageAction.Delete
            ? await Engine.DeleteAsync(request, CancellationToken.None)
            : await Engine.ReplicateAsync(request, CancellationToken.None);
        Assert.True(result.Succeeded, string.Join("; ", result.Destinations.Select(d => d.Message)));
    }

    public async ValueTask DisposeAsync()
    {
        _owned.ForEach(d => d.Dispose());
        Http.Dispose();
        await Server.DisposeAsync();
    }

    /// <summary>An SQS client on moto (any keys: moto does not check signatures).</summary>
    public static AmazonSQSClient Sqs(MotoServer moto) =>
        new(new BasicAWSCredentials("moto", "moto"), new AmazonSQSConfig { ServiceURL = moto.Endpoint.ToString(), AuthenticationRegion = Source });

    /// <summary>A FIFO queue of its own, without content-based deduplication: every message carries its id.</summary>
    public static async Task<string> CreateFifoQueueAsync(IAmazonSQS sqs, string name)
    {
        var response = await sqs.CreateQueueAsync(new CreateQueueRequest
        {
            QueueName = name + ".fifo",
            Attributes = new Dictionary<string, string> { ["FifoQueue"] = "true", ["ContentBasedDeduplication"] = "false" },
        });
        return response.QueueUrl;
    }

    /// <summary>Every message in the queue (received and deleted, so each FIFO group moves on), with its group.</summary>
    public static async Task<List<(string Body, string Group)>> DrainAsync(IAmazonSQS sqs, string queueUrl) =>
        [.. (await DrainMessagesAsync(sqs, queueUrl)).Select(m => (m.Body, m.Attributes["MessageGroupId"]))];

    /// <summary>Every message in the queue with its group and its message attributes, each deleted once received.</summary>
    public static async Task<List<Message>> DrainMessagesAsync(IAmazonSQS sqs, string queueUrl)
    {
        var messages = new List<Message>();
        while (true)
        {
            var response = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
            {
                QueueUrl = queueUrl,
                MaxNumberOfMessages = 10,
                WaitTimeSeconds = 0,
                MessageSystemAttributeNames = ["MessageGroupId"],
                MessageAttributeNames = ["All"],
            });
            if (response.Messages is not { Count: > 0 } received)
            {
                return messages;
            }

            foreach (var message in received)
            {
                messages.Add(message);
                await sqs.DeleteMessageAsync(queueUrl, message.ReceiptHandle);
            }
        }
    }

    private sealed class RepeatedToken(string operation) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var target = request.Headers.TryGetValues("X-Amz-Target", out var values) ? values.First() : string.Empty;
            var sent = request.Content is null ? null : JsonNode.Parse(await request.Content.ReadAsStringAsync(cancellationToken))?["nextToken"]?.GetValue<string>();
            var response = await base.SendAsync(request, cancellationToken);
            if (sent is null || !target.EndsWith("." + operation, StringComparison.Ordinal) || !response.IsSuccessStatusCode)
            {
                return response;
            }

            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!;
            body["nextToken"] = sent;
            var contentType = response.Content.Headers.ContentType;
            response.Content = new StringContent(body.ToJsonString());
            response.Content.Headers.ContentType = contentType;
            return response;
        }
    }

    /// <summary>Answers DescribeImages as a registry that does not fill <c>subjectManifestDigest</c> would.</summary>
    private sealed class WithoutSubjects : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var target = request.Headers.TryGetValues("X-Amz-Target", out var values) ? values.First() : string.Empty;
            var response = await base.SendAsync(request, cancellationToken);
            if (!target.EndsWith(".DescribeImages", StringComparison.Ordinal) || !response.IsSuccessStatusCode)
            {
                return response;
            }

            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!;
            foreach (var detail in body["imageDetails"]?.AsArray() ?? [])
            {
                detail!.AsObject().Remove("subjectManifestDigest");
            }

            var contentType = response.Content.Headers.ContentType;
            response.Content = new StringContent(body.ToJsonString());
            response.Content.Headers.ContentType = contentType;
            return response;
        }
    }

    private sealed class CallHook(Action<string, CancellationToken> onCall) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var target = request.Headers.TryGetValues("X-Amz-Target", out var values) ? values.First() : string.Empty;
            onCall(target[(target.LastIndexOf('.') + 1)..], cancellationToken);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
