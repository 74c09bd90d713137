using LocalEcr;
using Microsoft.Extensions.Time.Testing;
using Replicator.Core.Destinations;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Replication;
using Replicator.Core.Signing;
using Replicator.Core.Tests.Replication;
using Replicator.Samples;
using Replicator.Testing;

namespace Replicator.Core.Tests.Destinations;

/// <summary>
/// A bare REGION destination of the source's own partition written with another account's key pair from SSM
/// (<c>DESTINATION_CREDENTIALS=us-west-2=ssm:/...</c>): it is another account, so the source's repository policy is
/// not set there (its IAM user is not granted ecr:SetRepositoryPolicy, and the policy would grant the source's
/// principals), while the settings that belong to no account still follow the source.
/// </summary>
public sealed class SsmSamePartitionEndToEndTests
{
    private const string SourceAccount = "111111111111";
    private const string BackupAccount = "222222222222";
    private const string Parameter = "/replicator/backup";
    private const string SourceKey = "arn:aws:kms:us-east-1:111111111111:key/5a5a5a5a-1111-4111-8111-111111111111";
    private const string BackupKey = "arn:aws:kms:us-west-2:222222222222:key/b0b0b0b0-2222-4222-8222-222222222222";

    private static readonly AwsCredentials SourceKeys = new("AKIASOURCE0000000001", "source/secret/key");
    private static readonly AwsCredentials BackupKeys = new("AKIABACKUP0000000001", "backup/secret/key");

    [Fact]
    public async Task The_source_repository_policy_is_not_set_in_the_ssm_account_and_the_copy_succeeds()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions
        {
            AccountId = SourceAccount,
            AccessKey = SourceKeys.AccessKeyId,
            SecretKey = SourceKeys.SecretAccessKey,
            SessionClock = clock,
            OtherAccounts = { new LocalEcrAccount(BackupAccount, BackupKeys.AccessKeyId, BackupKeys.SecretAccessKey) },
        });
        var environment = DictionaryEnvironmentVariables.Of(new Dictionary<string, string> { ["AWS_ENDPOINT_URL_ECR"] = server.BaseAddress.ToString() });
        using var http = EcrClientFactory.CreateHttpClient();
        var own = new StaticCredentialsSource(SourceKeys);
        var clients = new EcrClientFactory(http, own, environment);
        var destination = new ReplicationDestination(EngineHarness.West);
        var access = DestinationAccess.Parse(null, null, null, $"{EngineHarness.West}=ssm:{Parameter}", [destination], EngineHarness.Source);
        var store = new SsmCredentialsSourceTests.FakeParameterStore { [Parameter] = SsmCredentialsSourceTests.Keys(BackupKeys.AccessKeyId, BackupKeys.SecretAccessKey) };
        using var destinations = new DestinationClients(clients, access, own, new FakeSecurityTokenService(clock, TimeSpan.FromHours(1)), () => store, clock);

        var source = clients.GetClient(EngineHarness.Source);
        await PolicySourceRepository.CreateAsync(source, "app", SourceAccount, new EncryptionConfiguration { EncryptionType = EncryptionType.Kms, KmsKey = SourceKey });
        var image = new SampleImageBuilder(76).Image(SampleFormat.Oci, [10_000]);
        await SampleImagePusher.PushAsync(source, "app", image, "v1");
        var options = EngineHarness.FastOptions with { KmsKeyIds = new Dictionary<string, string> { [EngineHarness.West] = BackupKey } };
        var replicator = new ImageReplicator(clients, http, options, destinationClients: destinations);

        var result = await replicator.ReplicateAsync(
            new ReplicationRequest(new ImageReference(SourceAccount, EngineHarness.Source, "app", image.Digest, "v1"), [destination]),
            CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("; ", result.Destinations.Select(d => d.Message)));
        Assert.Equal(0, server.Calls.Count(EngineHarness.West, "SetRepositoryPolicy"));
        var backup = new EcrClient(http, new StaticCredentialsSource(BackupKeys), new EcrClientConfig(EngineHarness.West) { ServiceUrl = server.BaseAddress });
        Assert.True(await new RegistryProbe(backup).HasVerifiedImageAsync("app", image.Digest));
        await PolicySourceRepository.AssertLifecycleWithoutPolicyAsync(backup, "app");

        // The repository is created in the SSM account with the key configured for the destination, never the source's.
        var created = Assert.Single((await backup.DescribeRepositoriesAsync(new DescribeRepositoriesRequest { RepositoryNames = ["app"] })).Repositories!);
        Assert.Equal(BackupAccount, created.RegistryId);
        Assert.Equal(BackupKey, created.EncryptionConfiguration?.KmsKey);
    }
}
