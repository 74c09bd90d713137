using Replicator.Core.Reconciliation;
using Replicator.Core.Replication;

namespace Replicator.Core.Tests.Reconciliation;

/// <summary>The reconciler's decisions, on listings alone.</summary>
public sealed class DriftFinderTests
{
    private const string A = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string B = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private const string R = "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";
    private static readonly ReplicationDestination West = new("us-west-2");
    private static readonly ReplicationDestination Europe = new("eu-west-1");

    private static DestinationListing Holding(ReplicationDestination destination, params (string? Tag, string Digest)[] images) =>
        new(destination, RepositoryListing.From(images.Select(i => new Core.Ecr.Model.ImageIdentifier { ImageTag = i.Tag, ImageDigest = i.Digest })));

    [Fact]
    public void A_tag_every_destination_holds_at_the_source_digest_is_no_drift()
    {
        var drift = DriftFinder.TagDrift("app", A, ["v1", "latest"], [Holding(West, ("v1", A), ("latest", A)), Holding(Europe, ("v1", A), ("latest", A))]);

        Assert.Empty(drift);
    }

    [Fact]
    public void A_missing_tag_names_only_the_destinations_that_lack_it()
    {
        var drift = Assert.Single(DriftFinder.TagDrift("app", A, ["v1"], [Holding(West, ("v1", A)), Holding(Europe)]));

        Assert.Equal(new DriftItem("app", A, "v1", DriftKind.MissingTag, [Europe]) with { Destinations = drift.Destinations }, drift);
        Assert.Equal([Europe], drift.Destinations);
        Assert.False(drift.IsDelete);
    }

    [Fact]
    public void A_tag_at_another_digest_is_drift_even_when_another_destination_lacks_it()
    {
        var drift = Assert.Single(DriftFinder.TagDrift("app", A, ["v1"], [Holding(West, ("v1", B)), Holding(Europe)]));

        Assert.Equal(DriftKind.DifferentDigest, drift.Kind);
        Assert.Equal(A, drift.Digest);
        Assert.Equal([Europe, West], drift.Destinations);
    }

    [Fact]
    public void Referrers_are_looked_at_only_below_an_image_every_destination_holds()
    {
        Assert.True(DriftFinder.HeldEverywhere(A, [Holding(West, (null, A)), Holding(Europe, ("v1", A))]));
        Assert.False(DriftFinder.HeldEverywhere(A, [Holding(West, (null, A)), Holding(Europe, ("v1", B))]));
    }

    [Fact]
    public void A_missing_referrer_is_a_push_by_digest_and_a_held_one_is_walked_further()
    {
        var drift = DriftFinder.ReferrerDrift("app", [R, B, R], [Holding(West, (null, B)), Holding(Europe, (null, B), (null, R))], out var held);

        var item = Assert.Single(drift);
        Assert.Equal(new DriftItem("app", R, null, DriftKind.MissingReferrer, item.Destinations), item);
        Assert.Equal([West], item.Destinations);
        Assert.Equal([B], held);
    }

    /// <summary>
    /// A referrer tagged in the source (oras attach with a tag): where a destination lacks its tag, the tag's own push
    /// copies it, so no push by digest goes beside it; where the tag is held at another digest (perhaps immutable, so
    /// never moved), the push by digest is still what brings the referrer.
    /// </summary>
    [Fact]
    public void A_referrer_whose_own_tag_a_destination_lacks_is_left_to_that_tags_push()
    {
        var missing = DriftFinder.ReferrerDrift("app", [R], [Holding(West, ("v1", A)), Holding(Europe, ("v1", A), ("v1-sbom", B))], out _);
        var tags = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal) { [A] = ["v1"], [R] = ["v1-sbom"] };

        var kept = DriftFinder.WithoutTaggedReferrers(missing, tags, [Holding(West, ("v1", A)), Holding(Europe, ("v1", A), ("v1-sbom", B))]);

        var item = Assert.Single(kept);
        Assert.Equal((R, (string?)null, DriftKind.MissingReferrer), (item.Digest, item.Tag, item.Kind));
        Assert.Equal([Europe], item.Destinations);
        Assert.Empty(DriftFinder.WithoutTaggedReferrers(missing, tags, [Holding(West, ("v1", A)), Holding(Europe, ("v1", A))]));
        Assert.Equal(missing, DriftFinder.WithoutTaggedReferrers(missing, new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal) { [A] = ["v1"] }, [Holding(West, ("v1", A)), Holding(Europe, ("v1", A))]));
    }

    /// <summary>
    /// A referrer with two selected tags of its own: a destination lacking either of them outright gets the referrer with
    /// that tag's push, even while it holds the other tag at another digest, so no push by digest goes there beside it.
    /// Only a destination holding every such tag elsewhere (where each may be immutable, and so never moved) keeps it.
    /// </summary>
    [Fact]
    public void A_referrer_is_left_to_the_push_of_any_one_of_its_tags_a_destination_lacks()
    {
        var west = Holding(West, ("v1", A), ("v1-sbom", B));
        var europe = Holding(Europe, ("v1", A), ("v1-sbom", B), ("sbom-latest", B));
        var missing = DriftFinder.ReferrerDrift("app", [R], [west, europe], out _);
        var tags = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal) { [A] = ["v1"], [R] = ["sbom-latest", "v1-sbom"] };

        var kept = DriftFinder.WithoutTaggedReferrers(missing, tags, [west, europe]);

        var item = Assert.Single(kept);
        Assert.Equal((R, DriftKind.MissingReferrer), (item.Digest, item.Kind));
        Assert.Equal([Europe], item.Destinations);
    }

    [Fact]
    public void A_destination_tag_the_source_lost_is_a_delete_at_the_digest_the_destination_holds_within_the_tag_filter()
    {
        var drift = DriftFinder.DeletedTags(
            "app",
            new HashSet<string> { "v1" },
            [Holding(West, ("v1", A), ("old", B), ("dev-x", B)), Holding(Europe, ("old", A))],
            tag => !tag.StartsWith("dev-", StringComparison.Ordinal));

        Assert.Equal(2, drift.Count);
        Assert.All(drift, d => Assert.True(d.IsDelete));
        Assert.Equal([("old", A, Europe), ("old", B, West)], drift.Select(d => (d.Tag!, d.Digest, Assert.Single(d.Destinations))));
    }
}
