using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;

namespace Replicator.Core.Tests.Destinations;

/// <summary>
/// A source repository with a lifecycle policy and a repository policy that grants its own account: what a destination
/// of another account must get the one of and not the other.
/// </summary>
internal static class PolicySourceRepository
{
    public const string Lifecycle = """{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}""";

    public static async Task CreateAsync(IEcrClient source, string repository, string account, EncryptionConfiguration? encryption = null)
    {
        await source.CreateRepositoryAsync(new CreateRepositoryRequest { RepositoryName = repository, EncryptionConfiguration = encryption });
        await source.PutLifecyclePolicyAsync(new PutLifecyclePolicyRequest { RepositoryName = repository, LifecyclePolicyText = Lifecycle });
        await source.SetRepositoryPolicyAsync(new SetRepositoryPolicyRequest
        {
            RepositoryName = repository,
            PolicyText = $$"""{"Version":"2012-10-17","Statement":[{"Sid":"pull","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{account}}:root"},"Action":["ecr:BatchGetImage"]}]}""",
        });
    }

    /// <summary>Asserts that <paramref name="destination"/>'s copy has the lifecycle policy and no repository policy.</summary>
    public static async Task AssertLifecycleWithoutPolicyAsync(IEcrClient destination, string repository)
    {
        Assert.Equal(Lifecycle, (await destination.GetLifecyclePolicyAsync(new GetLifecyclePolicyRequest { RepositoryName = repository })).LifecyclePolicyText);
        var missing = await Assert.ThrowsAsync<EcrException>(() => destination.GetRepositoryPolicyAsync(new GetRepositoryPolicyRequest { RepositoryName = repository }));
        Assert.Equal(EcrErrorCodes.RepositoryPolicyNotFoundException, missing.ErrorCode);
    }
}
