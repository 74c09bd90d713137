using Replicator.Core.Planning;

namespace Replicator.Core.Tests.Planning;

public class ReplicationPlannerSkipTests
{
    [Fact]
    public void Blobs_the_destination_holds_are_skipped_and_counted()
    {
        var source = Images.Single();
        var held = source.Root.Layers[0];
        var plan = ReplicationPlanner.Plan(source, Images.Holding(blobs: [held.Digest]));

        Assert.DoesNotContain(plan.Blobs, b => b.Digest == held.Digest);
        Assert.Equal(1, plan.BlobsSkipped);
        Assert.Equal(source.Root.Blobs.Sum(b => b.Size) - held.Size, plan.BytesToCopy);
    }

    [Fact]
    public void Child_the_destination_holds_is_skipped_with_its_blobs()
    {
        var plan = ReplicationPlanner.Plan(Images.List(), Images.Holding(manifests: [Images.Amd64.Digest]));

        Assert.Equal(["docker-v2-arm64", "manifest-list:v1"], Images.ManifestOrder(plan));
        Assert.Equal(Images.Arm64.Blobs.Select(b => b.Digest), plan.Blobs.Select(b => b.Digest));
        Assert.Equal(1, plan.ManifestsSkipped);
    }

    [Fact]
    public void Present_inner_index_skips_its_whole_subtree()
    {
        var plan = ReplicationPlanner.Plan(Images.Nested(), Images.Holding(manifests: [Fixture.DigestOf("oci-index-inner.json")]));

        Assert.Equal(["oci-manifest", "oci-index-nested:v1"], Images.ManifestOrder(plan));
    }

    [Fact]
    public void Root_already_present_gives_only_the_tag()
    {
        var source = Images.List();
        var plan = ReplicationPlanner.Plan(source, Images.Holding(manifests: [source.Root.Digest], tagDigest: "sha256:" + new string('0', 64)));

        Assert.Empty(plan.Blobs);
        Assert.Null(plan.CreateRepository);
        var tag = Assert.Single(plan.Manifests);
        Assert.True(tag.TagOnly);
        Assert.Equal((source.Root.Digest, source.Root.MediaType, "v1"), (tag.Digest, tag.MediaType, tag.Tag));
        Assert.Same(source.Root.Raw, tag.Manifest);
        Assert.Equal(0, plan.BytesToCopy);
        Assert.Empty(ReplicationPlanner.BlobsToCheck(source, Images.Holding(manifests: [source.Root.Digest])));
    }

    [Fact]
    public void Root_present_and_tag_already_right_is_an_empty_plan()
    {
        var source = Images.List();
        var plan = ReplicationPlanner.Plan(source, Images.Holding(manifests: [source.Root.Digest], tagDigest: source.Root.Digest));

        Assert.True(plan.IsEmpty);
        Assert.Empty(plan.Manifests);
        Assert.Equal(3, plan.ManifestsSkipped);
    }

    [Fact]
    public void Root_present_but_a_new_referrer_is_copied_then_the_tag_moves()
    {
        var source = Images.Nested([Fixture.Parse("signature-on-index.json")]);
        var plan = ReplicationPlanner.Plan(source, Images.Holding(manifests: [source.Root.Digest]));

        Assert.Equal(["signature-on-index", "tag oci-index-nested:v1"], Images.ManifestOrder(plan));
        Assert.Single(plan.Blobs, b => b.MediaType == "application/jose+json");
    }

    [Fact]
    public void Root_present_still_reaches_a_new_referrer_of_a_child_whose_presence_it_implies()
    {
        var source = Images.Nested([Fixture.Parse("oci-artifact.json")]);
        var plan = ReplicationPlanner.Plan(source, Images.Holding(manifests: [source.Root.Digest], tagDigest: source.Root.Digest));

        Assert.Equal(["oci-artifact"], Images.ManifestOrder(plan));
        Assert.Equal(5, plan.ManifestsSkipped);
        Assert.Equal(2, plan.Blobs.Count);
    }

    [Fact]
    public void Missing_repository_ignores_the_state_sets()
    {
        var source = Images.Single();
        var stale = new DestinationState(false, new HashSet<string>(source.Root.Blobs.Select(b => b.Digest)), new HashSet<string> { source.Root.Digest }, source.Root.Digest);
        var plan = ReplicationPlanner.Plan(source, stale);

        Assert.NotNull(plan.CreateRepository);
        Assert.Equal(4, plan.Blobs.Count);
        Assert.Equal("v1", Assert.IsType<PutImageStep>(Assert.Single(plan.Manifests)).Tag);
    }

    [Fact]
    public void Replicating_again_writes_nothing()
    {
        var source = Images.Nested([Fixture.Parse("oci-artifact.json")]);
        var everything = Images.Holding(manifests: source.ManifestDigests, tagDigest: source.Root.Digest);

        Assert.True(ReplicationPlanner.Plan(source, everything).IsEmpty);
        Assert.Equal(6, source.ManifestDigests.Count);
    }

    [Fact]
    public void Blobs_to_check_are_the_distinct_blobs_of_missing_manifests()
    {
        var source = Images.List();

        var all = ReplicationPlanner.BlobsToCheck(source, Images.Holding());
        var onlyArm = ReplicationPlanner.BlobsToCheck(source, Images.Holding(manifests: [Images.Amd64.Digest]));

        Assert.Equal(6, all.Count);
        Assert.Equal(all.Distinct(), all);
        Assert.Equal(Images.Arm64.Blobs.Select(b => b.Digest), onlyArm);
        Assert.Empty(ReplicationPlanner.BlobsToCheck(source, DestinationState.Missing));
    }

    [Fact]
    public void Blobs_to_check_leave_out_foreign_layers()
    {
        var manifest = Fixture.Parse("docker-v2-foreign-layers.json");

        Assert.Equal([manifest.Config!.Digest, manifest.Layers[2].Digest], ReplicationPlanner.BlobsToCheck(SourceImage.Create(manifest), Images.Holding()));
    }

    [Fact]
    public void Tag_without_apply_is_dropped_by_create()
    {
        Assert.False(SourceImage.Create(Images.Amd64, tag: null, applyTag: true).ApplyTag);
        Assert.True(ReplicationPlanner.Plan(SourceImage.Create(Images.Amd64, tag: "v1", applyTag: false), Images.Holding(manifests: [Images.Amd64.Digest])).IsEmpty);
    }

    [Fact]
    public void The_plan_names_the_tag_the_destination_holds_at_the_root_afterwards()
    {
        var other = "sha256:" + new string('0', 64);
        string? TagAfter(bool applyTag, string? tagDigest) =>
            ReplicationPlanner.Plan(SourceImage.Create(Images.Amd64, tag: "v1", applyTag: applyTag), Images.Holding(manifests: [Images.Amd64.Digest], tagDigest: tagDigest)).Tag;

        // Moved there, or already there: the destination's v1 names the root.
        Assert.Equal("v1", TagAfter(applyTag: true, tagDigest: other));
        Assert.Equal("v1", TagAfter(applyTag: true, tagDigest: Images.Amd64.Digest));
        Assert.Equal("v1", TagAfter(applyTag: false, tagDigest: Images.Amd64.Digest));

        // A late event (the source's v1 names another digest now): the digest is copied, the tag stays where it is.
        Assert.Null(TagAfter(applyTag: false, tagDigest: other));
        Assert.Null(TagAfter(applyTag: false, tagDigest: null));
        Assert.Null(ReplicationPlanner.Plan(SourceImage.Create(Images.Amd64, tag: "v1", applyTag: false), DestinationState.Missing).Tag);
        Assert.Equal("v1", ReplicationPlanner.Plan(SourceImage.Create(Images.Amd64, tag: "v1", applyTag: true), DestinationState.Missing).Tag);
        Assert.Null(ReplicationPlanner.Plan(SourceImage.Create(Images.Amd64), Images.Holding()).Tag);
    }
}
