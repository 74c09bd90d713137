using Replicator.Core.Ecr.Model;
using Replicator.Core.Replication;

namespace Replicator.Core.Tests.Replication;

/// <summary>CreateRepository copies the source's settings, but only what ECR accepts.</summary>
public sealed class CreateRepositoryRequestTests
{
    private static readonly List<ImageTagMutabilityExclusionFilter> DevFilter = [new() { FilterType = ImageTagMutabilityExclusionFilterType.Wildcard, Filter = "dev-*" }];

    private static SourceRepositorySettings Source(string? mutability, List<ImageTagMutabilityExclusionFilter>? filters, params Tag[] tags) =>
        new(new Repository { RepositoryName = "app", ImageTagMutability = mutability, ImageTagMutabilityExclusionFilters = filters }, tags, null, null);

    [Theory]
    [InlineData(ImageTagMutability.Mutable)]
    [InlineData(ImageTagMutability.Immutable)]
    public void Exclusion_filters_are_not_sent_without_a_WITH_EXCLUSION_mutability(string mutability)
    {
        var request = RepositoryProvisioner.CreateRequest(null, "app", Source(mutability, DevFilter), null);
        Assert.Equal(mutability, request.ImageTagMutability);
        Assert.Null(request.ImageTagMutabilityExclusionFilters);
    }

    [Theory]
    [InlineData(ImageTagMutability.ImmutableWithExclusion)]
    [InlineData(ImageTagMutability.MutableWithExclusion)]
    public void Exclusion_filters_are_sent_with_a_WITH_EXCLUSION_mutability_only_when_there_are_some(string mutability)
    {
        Assert.Equal("dev-*", RepositoryProvisioner.CreateRequest(null, "app", Source(mutability, DevFilter), null).ImageTagMutabilityExclusionFilters!.Single().Filter);
        Assert.Null(RepositoryProvisioner.CreateRequest(null, "app", Source(mutability, []), null).ImageTagMutabilityExclusionFilters);
    }

    [Fact]
    public void Tags_reserved_for_AWS_are_dropped_and_every_tag_has_a_value()
    {
        var request = RepositoryProvisioner.CreateRequest(null, "app", Source(
            ImageTagMutability.Mutable,
            null,
            new Tag { Key = "aws:cloudformation:stack-name", Value = "registry" },
            new Tag { Key = "AWS:CloudFormation:logical-id", Value = "Repo" },
            new Tag { Key = "team", Value = "platform" },
            new Tag { Key = "empty", Value = null }), null);

        Assert.Equal(["team", "empty"], request.Tags!.Select(t => t.Key));
        Assert.Equal("", request.Tags!.Single(t => t.Key == "empty").Value);
    }

    [Fact]
    public void Only_reserved_tags_means_no_tags_member()
    {
        var request = RepositoryProvisioner.CreateRequest(null, "app", Source(null, null, new Tag { Key = "aws:cloudformation:stack-id", Value = "x" }), null);
        Assert.Null(request.Tags);
        Assert.Null(request.ImageTagMutability);
    }
}
