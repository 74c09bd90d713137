using Replicator.Core.Ecr.Model;
using Replicator.Core.Replication;

namespace Replicator.Core.Tests.Replication;

/// <summary>A source's repository policy is copied only into its own account and partition.</summary>
public sealed class RepositoryPolicyCopyTests
{
    private static Repository Source(string arn, string? registryId = "111111111111") =>
        new() { RepositoryName = "app", RegistryId = registryId, RepositoryArn = arn };

    private const string SourceArn = "arn:aws:ecr:us-east-1:111111111111:repository/app";

    [Theory]
    // A region of the source account, written as REGION or as its own ACCOUNT:REGION.
    [InlineData(SourceArn, "us-west-2", null, true)]
    [InlineData(SourceArn, "eu-west-1", "111111111111", true)]
    // Another account: its owner decides who may pull there.
    [InlineData(SourceArn, "us-west-2", "222222222222", false)]
    // Another partition: arn:aws: principals are refused there, with or without an account.
    [InlineData(SourceArn, "cn-north-1", null, false)]
    [InlineData(SourceArn, "us-gov-west-1", "111111111111", false)]
    [InlineData(SourceArn, "eusc-de-east-1", "333333333333", false)]
    // A GovCloud source into another GovCloud region of its account.
    [InlineData("arn:aws-us-gov:ecr:us-gov-west-1:111111111111:repository/app", "us-gov-east-1", null, true)]
    [InlineData("arn:aws-us-gov:ecr:us-gov-west-1:111111111111:repository/app", "us-east-1", null, false)]
    // Nothing to compare with: nothing copied.
    [InlineData("", "us-west-2", null, false)]
    // Six fields that are not an ARN (no "arn" prefix): its partition and account cannot be read from it.
    [InlineData("urn:aws:ecr:us-east-1:111111111111:repository/app", "us-west-2", null, false)]
    public void The_policy_is_copied_only_within_the_source_account_and_partition(string arn, string region, string? account, bool copied)
    {
        Assert.Equal(copied, NewRepositorySettings.CopiesRepositoryPolicy(Source(arn), new ReplicationDestination(region, account), withSourceCredentials: account is null));
    }

    [Fact]
    public void Without_a_registry_id_the_account_comes_from_the_arn()
    {
        Assert.True(NewRepositorySettings.CopiesRepositoryPolicy(Source(SourceArn, registryId: null), new ReplicationDestination("us-west-2", "111111111111"), withSourceCredentials: true));
        Assert.False(NewRepositorySettings.CopiesRepositoryPolicy(Source(SourceArn, registryId: null), new ReplicationDestination("us-west-2", "222222222222"), withSourceCredentials: false));
    }

    [Fact]
    public void A_bare_region_written_with_other_credentials_is_another_account_even_in_the_source_partition()
    {
        // us-west-2=ssm:/backup in DESTINATION_CREDENTIALS: the key pair may be any account's.
        Assert.False(NewRepositorySettings.CopiesRepositoryPolicy(Source(SourceArn), new ReplicationDestination("us-west-2"), withSourceCredentials: false));

        // The source's own account named, whatever signs there: still the source's account.
        Assert.True(NewRepositorySettings.CopiesRepositoryPolicy(Source(SourceArn), new ReplicationDestination("us-west-2", "111111111111"), withSourceCredentials: false));
    }
}
