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
        var request = NewRepositorySettings.CreateRequest(null, "app", Source(mutability, DevFilter), null);
        Assert.Equal(mutability, request.ImageTagMutability);
        Assert.Null(request.ImageTagMutabilityExclusionFilters);
    }

    [Theory]
    [InlineData(ImageTagMutability.ImmutableWithExclusion, ImageTagMutability.Immutable)]
    [InlineData(ImageTagMutability.MutableWithExclusion, ImageTagMutability.Mutable)]
    public void Exclusion_filters_are_sent_with_a_WITH_EXCLUSION_mutability_and_without_any_the_plain_setting_is(string mutability, string withoutFilters)
    {
        var request = NewRepositorySettings.CreateRequest(null, "app", Source(mutability, DevFilter), null);
        Assert.Equal(mutability, request.ImageTagMutability);
        Assert.Equal("dev-*", Assert.Single(request.ImageTagMutabilityExclusionFilters!).Filter);

        foreach (var none in new List<ImageTagMutabilityExclusionFilter>?[] { [], null })
        {
            // ECR refuses a *_WITH_EXCLUSION setting without filters; without any it means the plain setting.
            var plain = NewRepositorySettings.CreateRequest(null, "app", Source(mutability, none), null);
            Assert.Equal(withoutFilters, plain.ImageTagMutability);
            Assert.Null(plain.ImageTagMutabilityExclusionFilters);
        }
    }

    [Fact]
    public void Tags_reserved_for_AWS_are_dropped_and_every_tag_has_a_value()
    {
        var request = NewRepositorySettings.CreateRequest(null, "app", Source(
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
        var request = NewRepositorySettings.CreateRequest(null, "app", Source(null, null, new Tag { Key = "aws:cloudformation:stack-id", Value = "x" }), null);
        Assert.Null(request.Tags);
        Assert.Null(request.ImageTagMutability);
    }

    /// <summary>
    /// A source that is itself a replica whose creation was cut short carries the marker: it is never copied (its
    /// value is another run's), and a request that needs the marker carries exactly one, the replicator's.
    /// </summary>
    [Fact]
    public void The_provisioning_tag_of_a_source_is_not_copied_and_the_request_carries_only_its_own()
    {
        var source = Source(null, null, new Tag { Key = "team", Value = "platform" }, new Tag { Key = RepositoryProvisioner.ProvisioningTagKey, Value = "theirs" });

        Assert.Equal(["team"], NewRepositorySettings.CreateRequest(null, "app", source, null).Tags!.Select(t => t.Key));
        var marked = NewRepositorySettings.CreateRequest(null, "app", source, null, withProvisioningTag: true).Tags!;
        Assert.Equal(["team", RepositoryProvisioner.ProvisioningTagKey], marked.Select(t => t.Key));
        Assert.Equal(RepositoryProvisioner.ProvisioningTagValue, marked[1].Value);
    }

    /// <summary>ECR allows 50 tags on a repository: a source with 50 leaves no room, and its copy is created without the marker.</summary>
    [Fact]
    public void A_source_with_fifty_tags_is_created_without_the_provisioning_tag()
    {
        var tags = Enumerable.Range(0, 50).Select(i => new Tag { Key = $"k{i}", Value = "v" }).ToArray();

        var request = NewRepositorySettings.CreateRequest(null, "app", Source(null, null, tags), null, withProvisioningTag: true);

        Assert.Equal(50, request.Tags!.Count);
        Assert.DoesNotContain(request.Tags!, t => t.Key == RepositoryProvisioner.ProvisioningTagKey);
    }
}
