using LocalEcr;
using Microsoft.Extensions.Time.Testing;
using Replicator.Core.Configuration;
using Replicator.Core.Destinations;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;
using Replicator.Core.Replication;
using Replicator.Core.Signing;
using Replicator.Core.Tests.Replication;
using Replicator.Samples;
using Replicator.Testing;

namespace Replicator.Core.Tests.Destinations;

/// <summary>
/// The engine writing into another account through LocalEcr's STS, with the real AWSSDK STS client: the session's
/// clock is shared by LocalEcr and the credentials cache, so a session expires mid-copy without waiting.
/// </summary>
public sealed class AssumedRoleEndToEndTests
{
    private const string SourceAccount = "111111111111";
    private const string DestinationAccount = "222222222222";
    private const string Role = $"arn:aws:iam::{DestinationAccount}:role/ecr-replicator-destination";

    private static readonly AwsCredentials SourceKeys = new("AKIASOURCE0000000001", "source/secret/key");
    private static readonly AwsCredentials DestinationKeys = new("AKIADESTINATION00001", "destination/secret/key");

    [Fact]
    public async Task A_session_that_expires_mid_copy_is_renewed_and_the_copy_completes()
    {
        var sessions = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var rig = await Rig.StartAsync(sessions);
        var image = new SampleImageBuilder(71).Image(SampleFormat.Oci, [30_000, 30_000, 30_000, 30_000]);
        await SampleImagePusher.PushAsync(rig.Clients.GetClient(EngineHarness.Source), "app", image, "v1");

        // After the first layer's bytes went up, an hour passes on the sessions' clock: the first session is dead.
        var advanced = 0;
        var observer = new CallbackObserver(() =>
        {
            if (Interlocked.Exchange(ref advanced, 1) == 0)
            {
                sessions.Advance(TimeSpan.FromMinutes(61));
            }
        });
        var replicator = new ImageReplicator(rig.Clients, rig.Http, EngineHarness.FastOptions with { MaxParallelLayers = 1 }, observer: observer, destinationClients: rig.Destinations);

        var result = await replicator.ReplicateAsync(Request(image.Digest), CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("; ", result.Destinations.Select(d => d.Message)));
        Assert.Equal(1, advanced);
        Assert.Equal(2, rig.Sts.Issued.Count);
        Assert.Equal(2, rig.Server.Calls.Count(EngineHarness.Source, "sts:AssumeRole"));
        var probe = new RegistryProbe(rig.ClientAs(DestinationKeys));
        Assert.True(await probe.HasVerifiedImageAsync("app", image.Digest));
        Assert.Equal(image.Digest, await probe.TagDigestAsync("app", "v1"));

        // The first session really had expired: LocalEcr refuses it now.
        var stale = await Assert.ThrowsAsync<EcrException>(() => rig.ClientAs(rig.Sts.Issued[0].Credentials).DescribeRepositoriesAsync(new DescribeRepositoriesRequest(), CancellationToken.None));
        Assert.Equal("ExpiredTokenException", stale.ErrorCode);
    }

    /// <summary>
    /// This host's clock 59 minutes ahead of AWS's: STS's expiry of a one-hour session reads as a minute away, inside
    /// the window where every caller must renew. The session's end is taken on this host's clock instead (the moment
    /// asked plus the duration STS grants exactly), so one session serves the whole copy.
    /// </summary>
    [Fact]
    public async Task A_host_clock_an_hour_ahead_of_sts_still_uses_one_session_for_the_copy()
    {
        var sessions = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var host = new FakeTimeProvider(sessions.GetUtcNow() + TimeSpan.FromMinutes(59));
        await using var rig = await Rig.StartAsync(sessions, host: host);
        var image = new SampleImageBuilder(76).Image(SampleFormat.Oci, [30_000, 30_000, 30_000, 30_000]);
        await SampleImagePusher.PushAsync(rig.Clients.GetClient(EngineHarness.Source), "app", image, "v1");
        var replicator = new ImageReplicator(rig.Clients, rig.Http, EngineHarness.FastOptions with { MaxParallelLayers = 1 }, destinationClients: rig.Destinations);

        var result = await replicator.ReplicateAsync(Request(image.Digest), CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("; ", result.Destinations.Select(d => d.Message)));
        Assert.Equal(1, rig.Server.Calls.Count(EngineHarness.Source, "sts:AssumeRole"));
        Assert.Equal(host.GetUtcNow() + TimeSpan.FromHours(1), Assert.Single(rig.Sts.Issued).Expiration);
        Assert.True(await new RegistryProbe(rig.ClientAs(DestinationKeys)).HasVerifiedImageAsync("app", image.Digest));
    }

    [Fact]
    public async Task The_source_repository_policy_is_not_copied_into_the_other_account()
    {
        var sessions = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var rig = await Rig.StartAsync(sessions);
        var source = rig.Clients.GetClient(EngineHarness.Source);
        await PolicySourceRepository.CreateAsync(source, "app", SourceAccount);
        var image = new SampleImageBuilder(75).Image(SampleFormat.Oci, [10_000]);
        await SampleImagePusher.PushAsync(source, "app", image, "v1");
        var replicator = new ImageReplicator(rig.Clients, rig.Http, EngineHarness.FastOptions, destinationClients: rig.Destinations);

        var result = await replicator.ReplicateAsync(Request(image.Digest), CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("; ", result.Destinations.Select(d => d.Message)));
        // The other settings still follow the source; the policy, which would grant the source account's principals, does not.
        await PolicySourceRepository.AssertLifecycleWithoutPolicyAsync(rig.ClientAs(DestinationKeys), "app");
        Assert.Equal(0, rig.Server.Calls.Count(EngineHarness.West, "SetRepositoryPolicy"));
    }

    /// <summary>
    /// One region written twice, in the replicator's account and in another through its role: each new repository is
    /// created with the key of its own entry in DESTINATION_KMS_KEYS, the other account's never with this account's.
    /// </summary>
    [Fact]
    public async Task Each_account_in_one_region_creates_its_repository_with_its_own_key()
    {
        const string OwnKey = "arn:aws:kms:us-west-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        const string BackupKey = "arn:aws:kms:us-west-2:222222222222:alias/replicas";
        ReplicationDestination[] destinations = [new(EngineHarness.West), new(EngineHarness.West, DestinationAccount)];
        var sessions = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var rig = await Rig.StartAsync(sessions, written: destinations);
        var source = rig.Clients.GetClient(EngineHarness.Source);
        await PolicySourceRepository.CreateAsync(source, "app", SourceAccount, new EncryptionConfiguration { EncryptionType = EncryptionType.Kms, KmsKey = "arn:aws:kms:us-east-1:111111111111:key/5a5a5a5a-1111-4111-8111-111111111111" });
        var image = new SampleImageBuilder(77).Image(SampleFormat.Oci, [10_000]);
        await SampleImagePusher.PushAsync(source, "app", image, "v1");
        var keys = KmsKeys.Parse($"{EngineHarness.West}={OwnKey},{DestinationAccount}:{EngineHarness.West}={BackupKey}", destinations);
        var replicator = new ImageReplicator(rig.Clients, rig.Http, EngineHarness.FastOptions with { KmsKeyIds = keys }, destinationClients: rig.Destinations);

        var result = await replicator.ReplicateAsync(
            new ReplicationRequest(new ImageReference(SourceAccount, EngineHarness.Source, "app", image.Digest, "v1"), destinations),
            CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("; ", result.Destinations.Select(d => d.Message)));
        var own = Assert.Single((await rig.Clients.GetClient(EngineHarness.West).DescribeRepositoriesAsync(new DescribeRepositoriesRequest { RepositoryNames = ["app"] })).Repositories!);
        var backup = Assert.Single((await rig.ClientAs(DestinationKeys).DescribeRepositoriesAsync(new DescribeRepositoriesRequest { RepositoryNames = ["app"] })).Repositories!);
        Assert.Equal((SourceAccount, OwnKey), (own.RegistryId, own.EncryptionConfiguration?.KmsKey));
        Assert.Equal((DestinationAccount, BackupKey), (backup.RegistryId, backup.EncryptionConfiguration?.KmsKey));
        Assert.Equal(EncryptionType.Kms, backup.EncryptionConfiguration?.EncryptionType);
    }

    [Fact]
    public async Task A_session_revoked_mid_copy_is_refused_once_then_renewed()
    {
        var sessions = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var rig = await Rig.StartAsync(sessions);
        var image = new SampleImageBuilder(74).Image(SampleFormat.Oci, [30_000, 30_000, 30_000]);
        await SampleImagePusher.PushAsync(rig.Clients.GetClient(EngineHarness.Source), "app", image, "v1");

        // The cache still believes the session good for an hour; ECR answers ExpiredTokenException, the client
        // drops the cached session once and the next call assumes the role again.
        var revoked = 0;
        var observer = new CallbackObserver(() =>
        {
            if (Interlocked.Exchange(ref revoked, 1) == 0)
            {
                rig.Server.ExpireSessions();
            }
        });
        var replicator = new ImageReplicator(rig.Clients, rig.Http, EngineHarness.FastOptions with { MaxParallelLayers = 1 }, observer: observer, destinationClients: rig.Destinations);

        var result = await replicator.ReplicateAsync(Request(image.Digest), CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("; ", result.Destinations.Select(d => d.Message)));
        Assert.Equal(2, rig.Sts.Issued.Count);
        Assert.True(await new RegistryProbe(rig.ClientAs(DestinationKeys)).HasVerifiedImageAsync("app", image.Digest));
    }

    [Fact]
    public async Task The_source_keys_alone_cannot_write_into_the_other_account()
    {
        var sessions = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var rig = await Rig.StartAsync(sessions);
        var image = new SampleImageBuilder(72).Image(SampleFormat.Oci, [10_000]);
        await SampleImagePusher.PushAsync(rig.Clients.GetClient(EngineHarness.Source), "app", image, "v1");

        // Today's behaviour (every destination with the source's credentials) is refused by LocalEcr, as by ECR.
        var replicator = new ImageReplicator(rig.Clients, rig.Http, EngineHarness.FastOptions);
        var result = await replicator.ReplicateAsync(Request(image.Digest), CancellationToken.None);

        var failed = Assert.Single(result.Destinations);
        Assert.Equal("AccessDeniedException", failed.ErrorCode);
        Assert.False(await new RegistryProbe(rig.ClientAs(DestinationKeys)).HasVerifiedImageAsync("app", image.Digest));
    }

    [Fact]
    public async Task A_role_that_cannot_be_assumed_fails_the_destination_for_good_with_the_reason()
    {
        var sessions = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var rig = await Rig.StartAsync(sessions, requiredExternalId: "expected-id");
        var image = new SampleImageBuilder(73).Image(SampleFormat.Oci, [10_000]);
        await SampleImagePusher.PushAsync(rig.Clients.GetClient(EngineHarness.Source), "app", image, "v1");
        var replicator = new ImageReplicator(rig.Clients, rig.Http, EngineHarness.FastOptions, destinationClients: rig.Destinations);

        var result = await replicator.ReplicateAsync(Request(image.Digest), CancellationToken.None);

        var failed = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationErrorCodes.DestinationCredentialsUnavailable, failed.ErrorCode);
        Assert.False(failed.Transient);
        Assert.Contains($"could not assume role {Role}: AccessDenied", failed.Message, StringComparison.Ordinal);
    }

    private static ReplicationRequest Request(string digest) =>
        new(new ImageReference(SourceAccount, EngineHarness.Source, "app", digest, "v1"), [new ReplicationDestination(EngineHarness.West, DestinationAccount)]);

    private sealed class CallbackObserver(Action onBytes) : IReplicationObserver
    {
        public void BytesCopied(ReplicationDestination destination, string layerDigest, long bytes) => onBytes();
    }

    private sealed class Rig : IAsyncDisposable
    {
        private Rig(LocalEcrServer server, HttpClient http, EcrClientFactory clients, RecordingSecurityTokenService sts, DestinationClients destinations)
        {
            Server = server;
            Http = http;
            Clients = clients;
            Sts = sts;
            Destinations = destinations;
        }

        public LocalEcrServer Server { get; }

        public HttpClient Http { get; }

        public EcrClientFactory Clients { get; }

        public RecordingSecurityTokenService Sts { get; }

        public DestinationClients Destinations { get; }

        /// <param name="sessions">AWS's clock: LocalEcr issues and expires sessions by it.</param>
        /// <param name="host">This host's clock, the cache's; AWS's unless given.</param>
        public static async Task<Rig> StartAsync(TimeProvider sessions, string? requiredExternalId = null, IReadOnlyList<ReplicationDestination>? written = null, TimeProvider? host = null)
        {
            host ??= sessions;
            var options = new LocalEcrOptions
            {
                AccountId = SourceAccount,
                AccessKey = SourceKeys.AccessKeyId,
                SecretKey = SourceKeys.SecretAccessKey,
                SessionClock = sessions,
                OtherAccounts = { new LocalEcrAccount(DestinationAccount, DestinationKeys.AccessKeyId, DestinationKeys.SecretAccessKey) },
            };
            if (requiredExternalId is not null)
            {
                options.RequiredExternalIds[DestinationAccount] = requiredExternalId;
            }

            var server = await LocalEcrServer.StartAsync(options);
            var environment = DictionaryEnvironmentVariables.Of(new Dictionary<string, string>
            {
                ["AWS_ENDPOINT_URL_ECR"] = server.BaseAddress.ToString(),
                ["AWS_ENDPOINT_URL_STS"] = server.BaseAddress.ToString(),
            });
            var http = EcrClientFactory.CreateHttpClient();
            var own = new StaticCredentialsSource(SourceKeys);
            var clients = new EcrClientFactory(http, own, environment);
            var sts = new RecordingSecurityTokenService(new StsSecurityTokenService(environment, time: host));
            var access = DestinationAccess.Parse(null, null, null, null, written ?? [new ReplicationDestination(EngineHarness.West, DestinationAccount)], EngineHarness.Source);
            var destinations = new DestinationClients(clients, access, own, sts, () => throw new InvalidOperationException("no SSM here"), host);
            return new Rig(server, http, clients, sts, destinations);
        }

        public IEcrClient ClientAs(AwsCredentials credentials) =>
            new EcrClient(Http, new StaticCredentialsSource(credentials), new EcrClientConfig(EngineHarness.West) { ServiceUrl = Server.BaseAddress });

        public async ValueTask DisposeAsync()
        {
            Destinations.Dispose();
            Http.Dispose();
            await Server.DisposeAsync();
        }
    }
}
