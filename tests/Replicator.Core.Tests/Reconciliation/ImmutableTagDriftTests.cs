using Replicator.Core.Ecr.Model;
using Replicator.Core.Reconciliation;
using Replicator.Core.Replication;

namespace Replicator.Core.Tests.Reconciliation;

/// <summary>Tag drift no event can heal: a destination tag at another digest where the tag is immutable.</summary>
public sealed class ImmutableTagDriftTests
{
    private const string A = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string B = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private static readonly ReplicationDestination West = new("us-west-2");
    private static readonly ReplicationDestination Europe = new("eu-west-1");

    private static DestinationListing Holding(ReplicationDestination destination, params (string? Tag, string Digest)[] images) =>
        new(destination, RepositoryListing.From(images.Select(i => new ImageIdentifier { ImageTag = i.Tag, ImageDigest = i.Digest })));

    private static TagMutabilityRule Rule(string mutability, params string[] exclusions) =>
        new(mutability, [.. exclusions.Select(e => new ImageTagMutabilityExclusionFilter { FilterType = ImageTagMutabilityExclusionFilterType.Wildcard, Filter = e })]);

    [Theory]
    [InlineData(ImageTagMutability.Mutable, "v1", false)]
    [InlineData(ImageTagMutability.Immutable, "v1", true)]
    [InlineData(ImageTagMutability.ImmutableWithExclusion, "latest", false)]
    [InlineData(ImageTagMutability.ImmutableWithExclusion, "latest-arm64", false)]
    [InlineData(ImageTagMutability.ImmutableWithExclusion, "v1", true)]
    [InlineData(ImageTagMutability.MutableWithExclusion, "latest", true)]
    [InlineData(ImageTagMutability.MutableWithExclusion, "v1", false)]
    [InlineData(null, "v1", false)]
    public void A_tag_is_immutable_as_the_repository_setting_and_its_wildcard_exclusions_say(string? mutability, string tag, bool immutable)
    {
        var rule = new TagMutabilityRule(mutability, [new ImageTagMutabilityExclusionFilter { FilterType = ImageTagMutabilityExclusionFilterType.Wildcard, Filter = "latest*" }]);

        Assert.Equal(immutable, rule.IsImmutable(tag));
    }

    /// <summary>
    /// Whether ECR's filters ignore case is not documented: the rule predicts a refusal only where both readings refuse,
    /// since a wrong prediction dead-letters a copy ECR would take and PutImage judges the tag anyway.
    /// </summary>
    [Theory]
    [InlineData(ImageTagMutability.ImmutableWithExclusion, "LATEST-arm64", false)] // freed under one reading: not predicted immutable
    [InlineData(ImageTagMutability.ImmutableWithExclusion, "Latest", false)]
    [InlineData(ImageTagMutability.ImmutableWithExclusion, "v1", true)]
    [InlineData(ImageTagMutability.MutableWithExclusion, "LATEST", false)] // fixed under one reading only
    [InlineData(ImageTagMutability.MutableWithExclusion, "latest", true)]
    public void A_tag_is_predicted_immutable_only_where_both_readings_of_the_filters_case_make_it_so(string mutability, string tag, bool immutable) =>
        Assert.Equal(immutable, new TagMutabilityRule(mutability, [new ImageTagMutabilityExclusionFilter { FilterType = ImageTagMutabilityExclusionFilterType.Wildcard, Filter = "latest*" }]).IsImmutable(tag));

    [Theory]
    [InlineData("latest", "latest", true)]
    [InlineData("latest", "latest2", false)]
    [InlineData("*", "", true)]
    [InlineData("v*-rc*", "v1.2-rc3", true)]
    [InlineData("v*-rc*", "v1.2-rc", true)]
    [InlineData("v*-rc*", "v1.2", false)]
    [InlineData("*-dev", "feature-dev", true)]
    [InlineData("*-dev", "-dev-x", false)]
    [InlineData("a*a", "a", false)]
    [InlineData("a*a", "aa", true)]
    [InlineData("*ab*ab", "xabyab", true)]
    public void A_wildcard_filter_matches_as_ECR_describes_it(string pattern, string tag, bool matches) =>
        Assert.Equal(matches, new TagMutabilityRule(ImageTagMutability.MutableWithExclusion, [new ImageTagMutabilityExclusionFilter { FilterType = ImageTagMutabilityExclusionFilterType.Wildcard, Filter = pattern }]).IsImmutable(tag));

    [Fact]
    public void Only_destinations_holding_a_tag_at_another_digest_need_their_mutability()
    {
        var listings = new[] { Holding(West, ("v1", B)), Holding(Europe), };
        var drift = DriftFinder.TagDrift("app", A, ["v1"], listings);

        Assert.Equal([West], DriftFinder.HoldingElsewhere(drift, listings));
        Assert.Empty(DriftFinder.HoldingElsewhere(DriftFinder.TagDrift("app", A, ["v1"], [Holding(Europe)]), [Holding(Europe)]));
    }

    [Fact]
    public void An_immutable_tag_at_another_digest_is_a_conflict_and_no_item()
    {
        var listings = new[] { Holding(West, ("v1", B), ("v2", B)) };
        var drift = DriftFinder.TagDrift("app", A, ["v1", "v2"], listings);

        var split = DriftFinder.WithoutConflicts(drift, listings, "mirror/app", new Dictionary<ReplicationDestination, TagMutabilityRule> { [West] = Rule(ImageTagMutability.ImmutableWithExclusion, "v2") });

        Assert.Equal(new DriftItem("app", A, "v2", DriftKind.DifferentDigest, [West]) with { Destinations = split.Items.Single().Destinations }, Assert.Single(split.Items));
        Assert.Equal(new DriftConflict("app", "v1", A, West, "mirror/app", B), Assert.Single(split.Conflicts));
    }

    [Fact]
    public void A_conflict_in_one_destination_leaves_the_item_for_another_that_lacks_the_tag_as_a_missing_tag()
    {
        var listings = new[] { Holding(West, ("v1", B)), Holding(Europe) };
        var drift = DriftFinder.TagDrift("app", A, ["v1"], listings);

        var split = DriftFinder.WithoutConflicts(drift, listings, "app", new Dictionary<ReplicationDestination, TagMutabilityRule> { [West] = Rule(ImageTagMutability.Immutable) });

        var item = Assert.Single(split.Items);
        Assert.Equal((DriftKind.MissingTag, Europe), (item.Kind, Assert.Single(item.Destinations)));
        Assert.Equal(West, Assert.Single(split.Conflicts).Destination);
    }

    /// <summary>
    /// A conflict in one destination leaves the item for another that holds the tag at another digest too, where the tag
    /// is mutable: that one is still a different digest (the event moves its tag), not a missing tag, so the report
    /// says what the operator will see there.
    /// </summary>
    [Fact]
    public void A_conflict_in_one_destination_leaves_the_item_for_a_mutable_one_holding_the_tag_elsewhere_as_a_different_digest()
    {
        var listings = new[] { Holding(West, ("v1", B)), Holding(Europe, ("v1", B)) };
        var drift = DriftFinder.TagDrift("app", A, ["v1"], listings);

        var split = DriftFinder.WithoutConflicts(drift, listings, "app", new Dictionary<ReplicationDestination, TagMutabilityRule> { [West] = Rule(ImageTagMutability.Immutable), [Europe] = TagMutabilityRule.Mutable });

        var item = Assert.Single(split.Items);
        Assert.Equal((DriftKind.DifferentDigest, Europe), (item.Kind, Assert.Single(item.Destinations)));
        Assert.Equal(West, Assert.Single(split.Conflicts).Destination);
    }

    [Fact]
    public void A_destination_whose_mutability_is_unknown_or_mutable_keeps_its_event()
    {
        var listings = new[] { Holding(West, ("v1", B)), Holding(Europe, ("v1", B)) };
        var drift = DriftFinder.TagDrift("app", A, ["v1"], listings);

        var split = DriftFinder.WithoutConflicts(drift, listings, "app", new Dictionary<ReplicationDestination, TagMutabilityRule> { [West] = TagMutabilityRule.Mutable });

        Assert.Equal(drift, split.Items);
        Assert.Empty(split.Conflicts);
    }
}
