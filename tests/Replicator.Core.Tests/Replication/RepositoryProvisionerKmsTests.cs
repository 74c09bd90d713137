using System.Reflection;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;
using Replicator.Core.Replication;

namespace Replicator.Core.Tests.Replication;

/// <summary>
/// Which KMS key a new destination repository of a KMS-encrypted source is created with: the destination's own
/// ACCOUNT:REGION entry first, then its region's.
/// </summary>
public sealed class RepositoryProvisionerKmsTests
{
    private const string Region = "us-west-2";
    private const string OwnKey = "arn:aws:kms:us-west-2:111111111111:key/own";
    private const string BackupKey = "arn:aws:kms:us-west-2:222222222222:key/backup";

    private static readonly SourceRepositorySettings KmsSource = new(
        new Repository
        {
            RepositoryName = "app",
            RegistryId = "111111111111",
            RepositoryArn = "arn:aws:ecr:us-east-1:111111111111:repository/app",
            EncryptionConfiguration = new EncryptionConfiguration { EncryptionType = EncryptionType.Kms, KmsKey = "arn:aws:kms:us-east-1:111111111111:key/source" },
        },
        [],
        null,
        null);

    [Fact]
    public async Task Two_accounts_in_one_region_are_encrypted_with_their_own_keys()
    {
        var provisioner = new RepositoryProvisioner(new Dictionary<string, string> { [Region] = OwnKey, ["222222222222:" + Region] = BackupKey });

        Assert.Equal(OwnKey, await CreatedKeyAsync(provisioner, null));
        Assert.Equal(BackupKey, await CreatedKeyAsync(provisioner, "222222222222"));

        // A third account with no entry of its own takes the region's key, as before ACCOUNT:REGION entries existed.
        Assert.Equal(OwnKey, await CreatedKeyAsync(provisioner, "333333333333"));
    }

    [Fact]
    public async Task An_account_entry_alone_serves_only_that_account()
    {
        var provisioner = new RepositoryProvisioner(new Dictionary<string, string> { ["222222222222:" + Region] = BackupKey });

        Assert.Equal(BackupKey, await CreatedKeyAsync(provisioner, "222222222222"));
        var error = await Assert.ThrowsAsync<ReplicationException>(() => CreatedKeyAsync(provisioner, null));
        Assert.Equal(ReplicationErrorCodes.KmsKeyNotConfigured, error.ErrorCode);
        Assert.Contains(Region, error.Message, StringComparison.Ordinal);
    }

    private static async Task<string?> CreatedKeyAsync(RepositoryProvisioner provisioner, string? account)
    {
        var client = DispatchProxy.Create<IEcrClient, CreateRepositoryRecorder>();
        var recorder = (CreateRepositoryRecorder)(object)client;
        await provisioner.CreateAsync(client, new ReplicationDestination(Region, account), withSourceCredentials: account is null, "app", KmsSource, CancellationToken.None);
        var request = Assert.Single(recorder.Requests);
        Assert.Equal(account, request.RegistryId);
        return request.EncryptionConfiguration?.KmsKey;
    }

    /// <summary>An ECR client that only answers CreateRepository, recording each request.</summary>
    public class CreateRepositoryRecorder : DispatchProxy
    {
        public List<CreateRepositoryRequest> Requests { get; } = [];

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod?.Name == nameof(IEcrClient.CreateRepositoryAsync) && args?[0] is CreateRepositoryRequest request)
            {
                Requests.Add(request);
                return Task.FromResult(new CreateRepositoryResponse());
            }

            throw new NotSupportedException(targetMethod?.Name);
        }
    }
}
