using LocalEcr;
using Replicator.Core.Configuration;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Replication;
using Replicator.Core.Resilience;
using Replicator.Core.Signing;
using Replicator.Samples;
using Replicator.Testing;

namespace Replicator.Core.Tests.Replication;

/// <summary>A LocalEcr on a free loopback port and the engine pointed at it, as AWS_ENDPOINT_URL_ECR would.</summary>
internal sealed class EngineHarness : IAsyncDisposable
{
    public const string Account = "000000000000";
    public const string Source = "us-east-1";
    public const string West = "us-west-2";
    public const string Europe = "eu-west-1";

    private EngineHarness(LocalEcrServer server, HttpClient http, EcrClientFactory clients)
    {
        Server = server;
        Http = http;
        Clients = clients;
    }

    public LocalEcrServer Server { get; }

    public HttpClient Http { get; }

    public EcrClientFactory Clients { get; }

    /// <summary>
    /// Fast retries: the delays are real, so keep them small. The production read timeout: tests count downloads, and
    /// a short one would add a resumed GET whenever a loaded machine pauses the copy that long; a test of stalls sets
    /// its own. A fan-out grace and a fall-behind timeout far past the production ones for the same reason (a
    /// destination late past the grace downloads on its own; one standing still past the timeout fails); the tests of
    /// each set it and run the engine on a fake clock.
    /// </summary>
    public static ReplicatorOptions FastOptions { get; } = new()
    {
        Retry = new RetrySettings { BaseDelay = TimeSpan.FromMilliseconds(1), ThrottlingBaseDelay = TimeSpan.FromMilliseconds(2), MaxDelay = TimeSpan.FromMilliseconds(20) },
        BlobCopy = new() { AllowInsecureDownloads = true, FanOutGrace = TimeSpan.FromMinutes(2), FallBehindTimeout = TimeSpan.FromMinutes(2) },
        PutImageRatePerSecond = 1000,
    };

    /// <param name="wrap">Puts a handler (recording, losing an answer) between the engine and LocalEcr.</param>
    /// <param name="serverClock">LocalEcr's clock (held answers, URL expiry); null: the system clock.</param>
    /// <param name="configure">Sets further LocalEcr options (a reading of a known unknown).</param>
    public static async Task<EngineHarness> StartAsync(Func<HttpMessageHandler, HttpMessageHandler>? wrap = null, TimeProvider? serverClock = null, Action<LocalEcrOptions>? configure = null)
    {
        var options = new LocalEcrOptions { Port = 0, TimeProvider = serverClock };
        configure?.Invoke(options);
        var server = await LocalEcrServer.StartAsync(options);
        var http = wrap is null ? new HttpClient() : new HttpClient(wrap(new SocketsHttpHandler()));
        var environment = DictionaryEnvironmentVariables.Of(new Dictionary<string, string> { ["AWS_ENDPOINT_URL_ECR"] = server.BaseAddress.ToString() });
        var clients = new EcrClientFactory(http, new StaticCredentialsSource(new AwsCredentials("test", "test")), environment);
        return new EngineHarness(server, http, clients);
    }

    /// <param name="time">The engine's clock (retry waits, stall timeouts, the fan-out grace); null: the system clock.</param>
    public ImageReplicator Replicator(ReplicatorOptions? options = null, IReplicationObserver? observer = null, TimeProvider? time = null) =>
        new(Clients, Http, options ?? FastOptions, time, observer);

    public IEcrClient Client(string region) => Clients.GetClient(region);

    public RegistryProbe Probe(string region) => new(Client(region));

    public Task PushAsync(string region, string repository, SampleImage image, string? tag) =>
        SampleImagePusher.PushAsync(Client(region), repository, image, tag);

    public static ReplicationRequest Request(string repository, string? digest, string? tag, params string[] regions) =>
        new(new ImageReference(Account, Source, repository, digest, tag), [.. regions.Select(r => new ReplicationDestination(r))]);

    /// <summary>The stored manifest bytes by digest, or null when absent.</summary>
    public Task<Image?> GetImageAsync(string region, string repository, string digest) => Probe(region).GetImageAsync(repository, digest);

    public Task<string?> TagDigestAsync(string region, string repository, string tag) => Probe(region).TagDigestAsync(repository, tag);

    public Task<bool> HasBlobAsync(string region, string repository, string digest) => Probe(region).HasBlobAsync(repository, digest);

    /// <summary>Deletes tags or digests with BatchDeleteImage, as a user would; every one must go.</summary>
    public async Task DeleteAsync(string region, string repository, params ImageIdentifier[] ids)
    {
        var deleted = await Client(region).BatchDeleteImageAsync(new BatchDeleteImageRequest { RepositoryName = repository, ImageIds = [.. ids] });
        if (deleted.Failures is { Count: > 0 } failures)
        {
            throw new InvalidOperationException($"{region} {repository}: {failures[0].FailureCode} {failures[0].FailureReason}");
        }
    }

    /// <summary>Every ECR call the destination region received since the last reset, by operation.</summary>
    public int Calls(string region, string operation) => Server.Calls.Count(region, operation);

    public int CallsTo(string region) => Server.Calls.Snapshot().Where(kv => kv.Key.Region == region).Sum(kv => kv.Value);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}
