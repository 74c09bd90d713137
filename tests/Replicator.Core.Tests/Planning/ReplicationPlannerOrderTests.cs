using Replicator.Core.Manifests;
using Replicator.Core.Planning;

namespace Replicator.Core.Tests.Planning;

public class ReplicationPlannerOrderTests
{
    [Fact]
    public void Single_image_into_a_missing_repository_creates_it_copies_every_blob_then_tags_the_manifest()
    {
        var source = Images.Single();
        var plan = ReplicationPlanner.Plan(source, DestinationState.Missing);

        Assert.NotNull(plan.CreateRepository);
        Assert.Equal(source.Root.Blobs.Select(b => b.Digest), plan.Blobs.Select(b => b.Digest));
        var put = Assert.IsType<PutImageStep>(Assert.Single(plan.Manifests));
        Assert.Equal((source.Root.Digest, MediaTypes.DockerManifest, "v1"), (put.Digest, put.MediaType, put.Tag));
        Assert.Same(source.Root.Raw, put.Manifest);
        Assert.Equal(7023L + 29124181 + 32654 + 73109, plan.BytesToCopy);
        Assert.Equal(source.Root.Digest, plan.RootDigest);
    }

    [Fact]
    public void Manifest_list_pushes_children_untagged_then_the_tagged_list()
    {
        var plan = ReplicationPlanner.Plan(Images.List(), Images.Holding());

        Assert.Equal(["docker-v2-amd64", "docker-v2-arm64", "manifest-list:v1"], Images.ManifestOrder(plan));
        Assert.Null(plan.CreateRepository);
    }

    [Fact]
    public void Blob_shared_by_two_children_is_copied_once()
    {
        var plan = ReplicationPlanner.Plan(Images.List(), Images.Holding());
        var shared = Images.Amd64.Layers[0].Digest;

        Assert.Equal(shared, Images.Arm64.Layers[0].Digest);
        Assert.Single(plan.Blobs, b => b.Digest == shared);
        Assert.Equal(6, plan.Blobs.Count);
        Assert.Equal(plan.Blobs.Count, plan.Blobs.Select(b => b.Digest).Distinct().Count());
        Assert.Equal(Images.Amd64.Blobs.Sum(b => b.Size) + Images.Arm64.Blobs.Sum(b => b.Size) - 29124181, plan.BytesToCopy);
    }

    [Fact]
    public void Nested_index_is_depth_first_children_before_each_index()
    {
        var plan = ReplicationPlanner.Plan(Images.Nested(), Images.Holding());

        Assert.Equal(
            ["oci-manifest", "oci-manifest-arm64", "oci-manifest-armv7", "oci-index-inner", "oci-index-nested:v1"],
            Images.ManifestOrder(plan));
    }

    [Fact]
    public void Referrers_follow_their_subject_and_the_tag_comes_last()
    {
        var referrers = new[] { Fixture.Parse("signature-on-index.json"), Fixture.Parse("oci-artifact.json") };
        var plan = ReplicationPlanner.Plan(Images.Nested(referrers), Images.Holding());

        Assert.Equal(
            ["oci-manifest", "oci-artifact", "oci-manifest-arm64", "oci-manifest-armv7", "oci-index-inner", "oci-index-nested", "signature-on-index", "tag oci-index-nested:v1"],
            Images.ManifestOrder(plan));
    }

    [Fact]
    public void Referrer_blobs_are_copied_with_the_inline_empty_config()
    {
        var artifact = Fixture.Parse("oci-artifact.json");
        var plan = ReplicationPlanner.Plan(Images.Nested([artifact]), Images.Holding());
        var empty = Assert.Single(plan.Blobs, b => b.MediaType == MediaTypes.OciEmpty);

        Assert.Equal("{}"u8.ToArray(), empty.Data!.Value.ToArray());
        Assert.Contains(plan.Blobs, b => b.Digest == artifact.Layers[0].Digest);
    }

    [Fact]
    public void Tag_is_only_on_the_root()
    {
        var plan = ReplicationPlanner.Plan(Images.Nested([Fixture.Parse("oci-artifact.json")]), Images.Holding());
        var tagged = plan.Manifests.Where(p => p.Tag is not null).ToList();

        Assert.Equal(Fixture.DigestOf("oci-index-nested.json"), Assert.Single(tagged).Digest);
        Assert.DoesNotContain(plan.Manifests, p => p.TagOnly);
    }

    [Fact]
    public void Without_apply_tag_nothing_is_tagged()
    {
        var plan = ReplicationPlanner.Plan(Images.Nested(applyTag: false), Images.Holding());

        Assert.All(plan.Manifests, s => Assert.Null(Assert.IsType<PutImageStep>(s).Tag));
        Assert.Equal(5, plan.Manifests.Count);
    }

    [Fact]
    public void Buildx_attestation_manifest_is_pushed_before_its_index()
    {
        var source = SourceImage.Create(Fixture.Parse("buildx-index.json"), [Fixture.Parse("oci-manifest.json"), Fixture.Parse("buildx-attestation-manifest.json")], tag: "latest");
        var plan = ReplicationPlanner.Plan(source, Images.Holding());

        Assert.Equal(["oci-manifest", "buildx-attestation-manifest", "buildx-index:latest"], Images.ManifestOrder(plan));
        Assert.Equal(2, plan.Blobs.Count(b => b.MediaType == "application/vnd.in-toto+json"));
    }

    [Fact]
    public void Foreign_layers_are_not_copied_and_are_counted()
    {
        var plan = ReplicationPlanner.Plan(SourceImage.Create(Fixture.Parse("docker-v2-foreign-layers.json"), tag: "ltsc"), Images.Holding());

        Assert.Equal(2, plan.Blobs.Count);
        Assert.DoesNotContain(plan.Blobs, b => MediaTypes.IsNonDistributable(b.MediaType));
        Assert.Equal(2, plan.NonDistributableSkipped);
        Assert.Equal(1920 + 4312, plan.BytesToCopy);
    }

    [Fact]
    public void Foreign_layers_the_source_holds_are_copied_and_only_the_others_counted()
    {
        var manifest = Fixture.Parse("docker-v2-foreign-layers.json");
        var foreign = manifest.Layers.Where(l => l.IsNonDistributable).ToList();
        var source = SourceImage.Create(manifest, tag: "ltsc") with { HeldForeignLayers = new HashSet<string>([foreign[0].Digest], StringComparer.Ordinal) };

        var plan = ReplicationPlanner.Plan(source, Images.Holding());

        Assert.Equal(3, plan.Blobs.Count);
        Assert.Equal(foreign[0].Digest, Assert.Single(plan.Blobs, b => MediaTypes.IsNonDistributable(b.MediaType)).Digest);
        Assert.Equal(1, plan.NonDistributableSkipped);
        Assert.Equal(1920 + 4312 + foreign[0].Size, plan.BytesToCopy);
        Assert.Contains(foreign[0].Digest, ReplicationPlanner.BlobsToCheck(source, Images.Holding()));
        Assert.DoesNotContain(foreign[1].Digest, ReplicationPlanner.BlobsToCheck(source, Images.Holding()));

        // A destination that already holds it does not get it again.
        var held = ReplicationPlanner.Plan(source, Images.Holding(blobs: [foreign[0].Digest]));
        Assert.DoesNotContain(held.Blobs, b => b.Digest == foreign[0].Digest);
    }

    [Fact]
    public void Schema1_blobs_are_deduplicated_and_flagged_as_unknown_size()
    {
        var plan = ReplicationPlanner.Plan(SourceImage.Create(Fixture.Parse("schema1-signed.json"), tag: "1.0"), Images.Holding());

        Assert.Equal(3, plan.Blobs.Count);
        Assert.True(plan.HasUnknownBlobSizes);
        Assert.Equal(0, plan.BytesToCopy);
        Assert.Equal(MediaTypes.DockerSchema1Signed, Assert.IsType<PutImageStep>(Assert.Single(plan.Manifests)).MediaType);
    }

    [Fact]
    public void Schema1_blobs_take_the_sizes_the_source_reported_so_the_plan_is_complete()
    {
        var unsized = SourceImage.Create(Fixture.Parse("schema1-signed.json"), tag: "1.0");
        var digests = ReplicationPlanner.Plan(unsized, Images.Holding()).Blobs.Select(b => b.Digest).ToList();
        var reported = digests.Take(2).Select((d, i) => (d, 1000L + i)).ToDictionary(p => p.d, p => p.Item2, StringComparer.Ordinal);

        var partly = ReplicationPlanner.Plan(unsized with { BlobSizes = reported }, Images.Holding());
        var fully = ReplicationPlanner.Plan(unsized with { BlobSizes = new Dictionary<string, long>(reported) { [digests[2]] = 7 } }, Images.Holding());

        Assert.Equal([1000L, 1001L, Descriptor.UnknownSize], partly.Blobs.Select(b => b.Size));
        Assert.True(partly.HasUnknownBlobSizes);
        Assert.Equal([1000L, 1001L, 7L], fully.Blobs.Select(b => b.Size));
        Assert.False(fully.HasUnknownBlobSizes);
        Assert.Equal(2008, fully.BytesToCopy);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Signed_schema1_is_identified_by_the_digest_it_was_fetched_by(bool byPayload)
    {
        var reported = byPayload ? Fixture.Read("schema1-signed.payload-digest") : Fixture.DigestOf("schema1-signed.json");
        var manifest = ManifestParser.Parse(Fixture.Read("schema1-signed.json"), MediaTypes.DockerSchema1Signed, reported);
        var source = SourceImage.Create(manifest, tag: "1.0");

        var put = Assert.IsType<PutImageStep>(Assert.Single(ReplicationPlanner.Plan(source, Images.Holding()).Manifests));
        var again = ReplicationPlanner.Plan(source, Images.Holding(manifests: [reported], tagDigest: reported));

        Assert.Equal(reported, manifest.ReferenceDigest);
        Assert.Equal(reported, put.Digest);
        Assert.Equal("1.0", put.Tag);
        Assert.True(again.IsEmpty);
    }

    [Fact]
    public void Missing_descendant_is_named()
    {
        var source = SourceImage.Create(Fixture.Parse("manifest-list.json"), [Images.Amd64], tag: "v1");

        var error = Assert.Throws<ArgumentException>(() => ReplicationPlanner.Plan(source, Images.Holding()));
        Assert.Contains(Images.Arm64.Digest, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_index_referrer_that_lists_its_own_subject_is_pushed_after_it()
    {
        // The loader keeps a manifest once: the subject is the root, not a descendant, when the referrer lists it.
        var subject = Images.Amd64;
        var referrer = IndexReferrer(subject, [subject]);
        var source = SourceImage.Create(subject, referrers: [referrer], tag: "v1");

        var plan = ReplicationPlanner.Plan(source, Images.Holding());

        Assert.Equal([subject.ReferenceDigest, referrer.ReferenceDigest], plan.Manifests.Where(p => !p.TagOnly).Select(p => p.Digest));
    }

    [Fact]
    public void An_index_referrer_of_a_platform_manifest_that_lists_the_index_holding_it_waits_for_that_index()
    {
        // The walk reaches the referrer through the amd64 manifest while the list holding it is still open: pushed
        // then, the referrer would precede a child of its own, which ECR refuses.
        var list = Fixture.Parse("manifest-list.json");
        var referrer = IndexReferrer(Images.Amd64, [list]);
        var source = SourceImage.Create(list, [Images.Amd64, Images.Arm64], [referrer], tag: "v1");

        var plan = ReplicationPlanner.Plan(source, Images.Holding());

        Assert.Equal(
            [Images.Amd64.ReferenceDigest, Images.Arm64.ReferenceDigest, list.ReferenceDigest, referrer.ReferenceDigest],
            plan.Manifests.Where(p => !p.TagOnly).Select(p => p.Digest));
    }

    [Fact]
    public void An_index_referrer_reaching_the_open_list_at_the_deepest_nesting_allowed_still_waits_for_it()
    {
        // The referrer lists a chain of indexes whose innermost one, MaxNesting levels below the referrer (as deep as the
        // walk goes), lists the manifest list still open when the walk reaches the referrer through the amd64 manifest.
        // The look for an open manifest must go as deep as the walk: one level less, and the referrer is walked at once
        // and refused as listing a manifest it is reached from, where waiting for the list orders every push.
        var list = Fixture.Parse("manifest-list.json");
        var chain = new List<Manifest> { PlainIndex(list) };
        while (chain.Count < ManifestWalker.MaxNesting)
        {
            chain.Add(PlainIndex(chain[^1]));
        }

        var referrer = IndexReferrer(Images.Amd64, [chain[^1]]);
        var source = SourceImage.Create(list, [Images.Amd64, Images.Arm64, .. chain], [referrer], tag: "v1");

        var plan = ReplicationPlanner.Plan(source, Images.Holding());

        Assert.Equal(
            [Images.Amd64.ReferenceDigest, Images.Arm64.ReferenceDigest, list.ReferenceDigest, .. chain.Select(c => c.ReferenceDigest), referrer.ReferenceDigest],
            plan.Manifests.Where(p => !p.TagOnly).Select(p => p.Digest));
    }

    private static Manifest PlainIndex(Manifest child) =>
        ManifestParser.Parse(
            $$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"{{child.MediaType}}","digest":"{{child.ReferenceDigest}}","size":{{child.Size}}}]}""",
            null);

    [Fact]
    public void A_referrer_chain_past_the_bound_pushes_its_first_links_in_order_and_leaves_the_rest_out_instead_of_failing()
    {
        // Each link is a referrer of the one before: index nesting stays 0, so only the chain bound applies.
        var links = new List<Manifest>();
        var subject = Images.Amd64;
        for (var i = 0; i < ManifestWalker.MaxReferrerChain + 2; i++)
        {
            subject = ArtifactOf(subject, i);
            links.Add(subject);
        }

        var plan = ReplicationPlanner.Plan(SourceImage.Create(Images.Amd64, referrers: links, tag: "v1"), Images.Holding());

        Assert.Equal(
            [Images.Amd64.ReferenceDigest, .. links.Take(ManifestWalker.MaxReferrerChain).Select(l => l.ReferenceDigest)],
            plan.Manifests.Where(p => !p.TagOnly).Select(p => p.Digest));
        Assert.Equal("v1", plan.Manifests[^1].Tag);
    }

    private static Manifest ArtifactOf(Manifest subject, int n) =>
        ManifestParser.Parse(
            $$$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.example.link.{{{n}}}","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2,"data":"e30="},"layers":[{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2,"data":"e30="}],"subject":{"mediaType":"{{{subject.MediaType}}}","digest":"{{{subject.ReferenceDigest}}}","size":{{{subject.Size}}}}}""",
            null);

    private static Manifest IndexReferrer(Manifest subject, IEnumerable<Manifest> children)
    {
        static string Descriptor(Manifest m) => $$"""{"mediaType":"{{m.MediaType}}","digest":"{{m.ReferenceDigest}}","size":{{m.Size}}}""";
        return ManifestParser.Parse(
            $$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","artifactType":"application/vnd.example.bundle","manifests":[{{string.Join(",", children.Select(Descriptor))}}],"subject":{{Descriptor(subject)}}}""",
            null);
    }

    [Fact]
    public void Referrer_of_something_outside_the_image_is_refused()
    {
        var source = SourceImage.Create(Images.Amd64, referrers: [Fixture.Parse("oci-artifact.json")], tag: "v1");

        var error = Assert.Throws<ArgumentException>(() => ReplicationPlanner.Plan(source, Images.Holding()));
        Assert.Contains("not part of the image", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Descendant_keyed_under_another_digest_is_refused()
    {
        var list = Fixture.Parse("manifest-list.json");
        var wrong = new Dictionary<string, Manifest> { [Images.Arm64.Digest] = Images.Amd64, [Images.Amd64.Digest] = Images.Amd64 };

        Assert.Throws<ArgumentException>(() => ReplicationPlanner.Plan(new SourceImage(list, wrong, [], "v1", true), Images.Holding()));
    }

    [Theory]
    [InlineData(8, false)]
    [InlineData(9, true)]
    public void Nesting_deeper_than_the_cap_is_refused(int indexes, bool refused)
    {
        var manifests = new List<Manifest> { Images.Amd64 };
        for (var i = 0; i < indexes; i++)
        {
            var child = manifests[^1];
            var json = $$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.OciIndex}}","manifests":[{"mediaType":"{{child.MediaType}}","digest":"{{child.Digest}}","size":{{child.Size}}}]}""";
            manifests.Add(ManifestParser.Parse(json, null));
        }

        var source = SourceImage.Create(manifests[^1], manifests[..^1], tag: "deep");
        if (refused)
        {
            Assert.Contains("nested more than 8 levels", Assert.Throws<ManifestException>(() => ReplicationPlanner.Plan(source, Images.Holding())).Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(indexes + 1, ReplicationPlanner.Plan(source, Images.Holding()).Manifests.Count);
        }
    }

    [Fact]
    public void One_digest_declared_with_two_sizes_is_refused()
    {
        var amd64 = Images.Amd64;
        var shared = amd64.Layers[0];
        var liar = ManifestParser.Parse(Fixture.Read("docker-v2-arm64.json").Replace("29124181", "29124180", StringComparison.Ordinal), null);
        var list = $$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.DockerManifestList}}","manifests":[{"mediaType":"{{MediaTypes.DockerManifest}}","digest":"{{amd64.Digest}}","size":{{amd64.Size}}},{"mediaType":"{{MediaTypes.DockerManifest}}","digest":"{{liar.Digest}}","size":{{liar.Size}}}]}""";
        var source = SourceImage.Create(ManifestParser.Parse(list, null), [amd64, liar], tag: "v1");

        var error = Assert.Throws<ManifestException>(() => ReplicationPlanner.Plan(source, Images.Holding()));
        Assert.Contains($"blob {shared.Digest} is declared with sizes 29124181 and 29124180", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A schema 1 layer has no declared size (fsLayers carry only blobSum), so it cannot disagree with a size another
    /// manifest declares for the same digest. A Docker manifest list may reference a legacy schema 1 manifest
    /// (docker/distribution docs/spec/manifest-v2-2.md, manifest list field mediaType), and its platforms share base
    /// layers: met first through the schema 1 child, the shared layer is still copied once, not refused.
    /// </summary>
    [Fact]
    public void A_layer_shared_by_a_schema1_child_and_a_sized_child_is_not_a_size_conflict()
    {
        var amd64 = Images.Amd64;
        var shared = amd64.Layers[0];
        var legacyJson = $$"""{"schemaVersion":1,"name":"app","tag":"v1","architecture":"arm","fsLayers":[{"blobSum":"{{shared.Digest}}"}],"history":[{"v1Compatibility":"{}"}]}""";
        var legacy = ManifestParser.Parse(legacyJson, MediaTypes.DockerSchema1);
        var list = $$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.DockerManifestList}}","manifests":[{"mediaType":"{{MediaTypes.DockerSchema1}}","digest":"{{legacy.Digest}}","size":{{legacy.Size}}},{"mediaType":"{{MediaTypes.DockerManifest}}","digest":"{{amd64.Digest}}","size":{{amd64.Size}}}]}""";
        var source = SourceImage.Create(ManifestParser.Parse(list, null), [legacy, amd64], tag: "v1");

        var plan = ReplicationPlanner.Plan(source, Images.Holding());

        Assert.Single(plan.Blobs, b => b.Digest == shared.Digest);
        Assert.Equal(3, plan.Manifests.Count);
    }
}
