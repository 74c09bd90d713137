using Replicator.Core.Ecr.Model;
using Replicator.Core.Replication;

namespace Replicator.Core.Tests.Replication;

/// <summary>
/// The exclusion filters of a repository's tag mutability as DescribeRepositories reports them. The wildcard's own
/// matching and the readings of case are in Reconciliation.ImmutableTagDriftTests.
/// </summary>
public sealed class TagMutabilityRuleTests
{
    /// <summary>
    /// A filter whose filterType is missing reads as WILDCARD, the model's only value of ImageTagMutabilityExclusionFilterType
    /// (botocore ECR model). An answer is not ours to trust, and dropping such a filter would predict every tag of an
    /// IMMUTABLE_WITH_EXCLUSION repository immutable, and fail for good a copy ECR takes.
    /// </summary>
    [Theory]
    [InlineData(ImageTagMutability.ImmutableWithExclusion, "latest", false)]
    [InlineData(ImageTagMutability.ImmutableWithExclusion, "v1", true)]
    [InlineData(ImageTagMutability.MutableWithExclusion, "latest", true)]
    [InlineData(ImageTagMutability.MutableWithExclusion, "v1", false)]
    public void A_filter_without_a_type_is_read_as_a_wildcard(string mutability, string tag, bool immutable) =>
        Assert.Equal(immutable, new TagMutabilityRule(mutability, [new ImageTagMutabilityExclusionFilter { Filter = "latest*" }]).IsImmutable(tag));
}
