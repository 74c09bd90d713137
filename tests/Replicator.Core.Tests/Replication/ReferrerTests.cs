using Replicator.Core.Errors;
using Replicator.Core.Manifests;
using Replicator.Core.Replication;
using Replicator.Samples;
using Replicator.Testing;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Replication;

/// <summary>Referrers (signatures, SBOMs) travel with their subject, recursively, and never land before it.</summary>
public sealed class ReferrerTests
{
    [Fact]
    public async Task Referrers_and_a_referrer_of_a_referrer_travel_with_the_image_subject_first()
    {
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 41);
        var image = builder.Image(SampleFormat.Oci, [4096]);
        var sbom = builder.Artifact(image.Root);
        var signature = builder.Artifact(sbom.Root, "application/vnd.dev.cosign.artifact.sig.v1+json", 256);
        await h.PushAsync(Source, "signed", image, "v1");
        await h.PushAsync(Source, "signed", sbom, null);
        await h.PushAsync(Source, "signed", signature, null);

        var result = await h.Replicator().ReplicateAsync(Request("signed", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(result.Succeeded, result.Destinations[0].Message);
        Assert.Equal(ReplicationOutcome.Replicated, result.Destinations[0].Outcome);
        foreach (var copied in new[] { image, sbom, signature })
        {
            Assert.True(await h.Probe(West).HasVerifiedImageAsync("signed", copied.Digest), $"{copied.Digest} missing in {West}");
        }

        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "signed", "v1"));

        // The referrers this copy put, in the order it put them (each is announced by the function's replicated events);
        // a second copy finds them there and puts none.
        Assert.Equal([sbom.Digest, signature.Digest], result.Destinations[0].ReferrersPut);
        var again = await h.Replicator().ReplicateAsync(Request("signed", image.Digest, "v1", West), CancellationToken.None);
        Assert.Equal(ReplicationOutcome.UpToDate, again.Destinations[0].Outcome);
        Assert.Empty(again.Destinations[0].ReferrersPut);
    }

    [Fact]
    public async Task An_image_with_more_referrers_than_the_bound_is_replicated_with_the_first_ones_and_says_how_many_it_left()
    {
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 43);
        var image = builder.Image(SampleFormat.Oci, [512]);
        await h.PushAsync(Source, "crowded", image, "v1");
        const int extra = 3;
        var referrers = Enumerable.Range(0, SourceReferrerWalk.MaxReferrers + extra)
            .Select(i => builder.Artifact(image.Root, $"application/vnd.example.note.{i}+json", 1))
            .ToList();
        await Task.WhenAll(referrers.Select(r => h.PushAsync(Source, "crowded", r, null)));

        var result = await h.Replicator().ReplicateAsync(Request("crowded", image.Digest, "v1", West), CancellationToken.None);

        // The image is not held back for its referrers: it lands, with the bound's worth of them.
        var destination = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Replicated, destination.Outcome);
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "crowded", "v1"));
        Assert.Contains($"{extra} or more referrers beyond the first {SourceReferrerWalk.MaxReferrers}", destination.Message, StringComparison.Ordinal);
        var copied = 0;
        foreach (var referrer in referrers)
        {
            copied += await h.Probe(West).HasVerifiedImageAsync("crowded", referrer.Digest) ? 1 : 0;
        }

        Assert.Equal(SourceReferrerWalk.MaxReferrers, copied);
    }

    /// <summary>
    /// Exactly <see cref="SourceReferrerWalk.MaxReferrers"/> referrers fill the bound without passing it: the walk still
    /// lists the next subject, and a referrer of one of them is counted as left behind. Stopping as soon as the bound is
    /// reached would say nothing of it, and the record would read as if the image came with every referrer.
    /// </summary>
    [Fact]
    public async Task An_image_whose_referrers_fill_the_bound_exactly_still_says_the_referrer_of_a_referrer_it_left()
    {
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 45);
        var image = builder.Image(SampleFormat.Oci, [512]);
        await h.PushAsync(Source, "full", image, "v1");
        var referrers = Enumerable.Range(0, SourceReferrerWalk.MaxReferrers)
            .Select(i => builder.Artifact(image.Root, $"application/vnd.example.note.{i}+json", 1))
            .ToList();
        await Task.WhenAll(referrers.Select(r => h.PushAsync(Source, "full", r, null)));
        await h.PushAsync(Source, "full", builder.Artifact(referrers[0].Root, "application/vnd.example.signature+json", 1), null);

        var result = await h.Replicator().ReplicateAsync(Request("full", image.Digest, "v1", West), CancellationToken.None);

        var destination = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Replicated, destination.Outcome);
        Assert.Contains($"1 or more referrers beyond the first {SourceReferrerWalk.MaxReferrers}", destination.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chain_of_referrers_longer_than_the_bound_replicates_the_image_and_the_first_links_and_the_rest_come_with_their_own_events()
    {
        // A referrer of a referrer of ... of the image: the planner's recursion is bounded per link, and a chain past the
        // bound must not fail the image (before the bound, the walk refused it as a manifest nested too deep, a
        // permanent failure of every push of the image).
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 44);
        var image = builder.Image(SampleFormat.Oci, [512]);
        await h.PushAsync(Source, "chained", image, "v1");
        var chain = new List<SampleImage>();
        var subject = image.Root;
        for (var i = 0; i < ManifestWalkerChain + 2; i++)
        {
            var link = builder.Artifact(subject, $"application/vnd.example.link.{i}+json", 1);
            await h.PushAsync(Source, "chained", link, null);
            chain.Add(link);
            subject = link.Root;
        }

        var result = await h.Replicator().ReplicateAsync(Request("chained", image.Digest, "v1", West), CancellationToken.None);

        var destination = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Replicated, destination.Outcome);
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "chained", "v1"));
        Assert.Contains("1 or more referrers beyond the first", destination.Message, StringComparison.Ordinal);
        for (var i = 0; i < chain.Count; i++)
        {
            Assert.Equal(i < ManifestWalkerChain, await h.Probe(West).HasVerifiedImageAsync("chained", chain[i].Digest));
        }

        // The first link past the bound arrives with its own push event, the one after it with it.
        var late = await h.Replicator().ReplicateAsync(Request("chained", chain[ManifestWalkerChain].Digest, null, West), CancellationToken.None);

        Assert.True(late.Succeeded, late.Destinations[0].Message);
        Assert.True(await h.Probe(West).HasVerifiedImageAsync("chained", chain[^1].Digest));
        Assert.Equal([chain[^1].Digest], late.Destinations[0].ReferrersPut);
    }

    private const int ManifestWalkerChain = Replicator.Core.Planning.ManifestWalker.MaxReferrerChain;

    [Fact]
    public async Task A_signature_pushed_after_its_image_was_replicated_is_added_by_the_next_copy_of_the_image()
    {
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 42);
        var image = builder.MultiArch(SampleFormat.Oci, [2048]);
        await h.PushAsync(Source, "late", image, "v1");
        var replicator = h.Replicator();
        await replicator.ReplicateAsync(Request("late", image.Digest, "v1", West), CancellationToken.None);

        // A referrer whose subject is an index, pushed after the image was copied.
        var signature = builder.Artifact(image.Root);
        await h.PushAsync(Source, "late", signature, null);
        h.Server.Calls.Reset();
        var again = await replicator.ReplicateAsync(Request("late", image.Digest, "v1", West), CancellationToken.None);

        Assert.Equal(ReplicationOutcome.Replicated, again.Destinations[0].Outcome);
        Assert.True(await h.Probe(West).HasVerifiedImageAsync("late", signature.Digest));
        Assert.Equal(1, h.Calls(West, "PutImage"));

        h.Server.Calls.Reset();
        var third = await replicator.ReplicateAsync(Request("late", image.Digest, "v1", West), CancellationToken.None);
        Assert.Equal(ReplicationOutcome.UpToDate, third.Destinations[0].Outcome);
        Assert.Equal(0, h.Calls(West, "PutImage"));
        Assert.Equal(0, h.Calls(West, "InitiateLayerUpload"));
    }

    /// <summary>
    /// An index referrer (a bundle whose manifests list an image of its own) of an image the destination holds, with
    /// that listed image there too: nothing is put again. The state read looked up only the referrers, not what an
    /// index referrer lists, so the listed image was taken for missing and put again (answered ImageAlreadyExists).
    /// </summary>
    [Fact]
    public async Task What_an_index_referrer_lists_is_looked_up_too_when_the_image_is_already_there()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 91).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "bundled", image, "v1");
        var replicator = h.Replicator();
        Assert.True((await replicator.ReplicateAsync(Request("bundled", image.Digest, "v1", West), CancellationToken.None)).Succeeded);

        var listed = new SampleImageBuilder(seed: 92).Image(SampleFormat.Oci, [1200], "arm64");
        var bundleJson =
            $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.OciIndex}\",\"artifactType\":\"application/vnd.example.bundle\","
            + $"\"manifests\":[{{\"mediaType\":\"{listed.Root.MediaType}\",\"digest\":\"{listed.Digest}\",\"size\":{listed.Root.Size}}}],"
            + $"\"subject\":{{\"mediaType\":\"{image.Root.MediaType}\",\"digest\":\"{image.Digest}\",\"size\":{image.Root.Size}}}}}";
        var bundle = new SampleManifest(Digest.Compute(System.Text.Encoding.UTF8.GetBytes(bundleJson)), MediaTypes.OciIndex, bundleJson);
        await h.PushAsync(Source, "bundled", new SampleImage(listed.Blobs, [listed.Root, bundle]), null);
        Assert.True((await replicator.ReplicateAsync(Request("bundled", listed.Digest, null, West), CancellationToken.None)).Succeeded);
        h.Server.Calls.Reset();

        var result = await replicator.ReplicateAsync(Request("bundled", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(result.Succeeded, result.Destinations[0].Message);
        Assert.Equal([bundle.Digest], result.Destinations[0].ReferrersPut);
        Assert.True(await h.Probe(West).HasVerifiedImageAsync("bundled", bundle.Digest));

        // Only the bundle is put: the image it lists was there, and its blobs are not checked.
        Assert.Equal(1, h.Calls(West, "PutImage"));
        Assert.Equal(0, h.Calls(West, "BatchCheckLayerAvailability"));
    }

    [Fact]
    public async Task A_referrer_event_that_overtook_its_subject_copies_the_subject_first()
    {
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 43);
        var image = builder.Image(SampleFormat.Oci, [1024]);
        var sbom = builder.Artifact(image.Root);
        await h.PushAsync(Source, "inverted", image, "v1");
        await h.PushAsync(Source, "inverted", sbom, null);

        // The SBOM's event arrives first; the image's own event has not been handled.
        var result = await h.Replicator().ReplicateAsync(Request("inverted", sbom.Digest, null, West, Europe), CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("; ", result.Destinations.Select(d => d.Message)));
        foreach (var region in new[] { West, Europe })
        {
            Assert.True(await h.Probe(region).HasVerifiedImageAsync("inverted", image.Digest));
            Assert.True(await h.Probe(region).HasVerifiedImageAsync("inverted", sbom.Digest));
        }

        // Each destination's result says the subject was put first (the function announces it), and no referrer besides.
        Assert.All(result.Destinations, d => Assert.Equal([image.Digest], d.SubjectsPut));
        Assert.All(result.Destinations, d => Assert.Empty(d.ReferrersPut));

        // The subject's event, handled later, finds both there; the tag is its only write.
        h.Server.Calls.Reset();
        var subject = await h.Replicator().ReplicateAsync(Request("inverted", image.Digest, "v1", West), CancellationToken.None);
        Assert.Equal(ReplicationOutcome.Replicated, subject.Destinations[0].Outcome);
        Assert.Empty(subject.Destinations[0].SubjectsPut);
        Assert.Equal(1, h.Calls(West, "PutImage"));
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "inverted", "v1"));
    }

    [Fact]
    public async Task A_referrer_event_copies_its_subject_only_where_a_destination_lacks_it()
    {
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 143);
        var image = builder.Image(SampleFormat.Oci, [1024]);
        await h.PushAsync(Source, "partly", image, "v1");
        await h.Replicator().ReplicateAsync(Request("partly", image.Digest, "v1", West), CancellationToken.None);
        var sbom = builder.Artifact(image.Root);
        await h.PushAsync(Source, "partly", sbom, null);
        h.Server.Calls.Reset();

        // West holds the image (its push came first); Europe never got it.
        var result = await h.Replicator().ReplicateAsync(Request("partly", sbom.Digest, null, West, Europe), CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("; ", result.Destinations.Select(d => d.Message)));
        Assert.Equal(1, h.Calls(West, "PutImage"));
        Assert.Equal(2, h.Calls(Europe, "PutImage"));

        // No copy of the subject into West: the destination read such a copy starts with (BatchGetImage of the subject
        // there) is never made; one DescribeImages said West holds it.
        Assert.Equal(0, h.Calls(West, "BatchGetImage"));
        foreach (var region in new[] { West, Europe })
        {
            Assert.True(await h.Probe(region).HasVerifiedImageAsync("partly", image.Digest));
            Assert.True(await h.Probe(region).HasVerifiedImageAsync("partly", sbom.Digest));
        }
    }

    [Fact]
    public async Task A_referrer_event_leaves_a_subject_the_destination_archived_archived_and_publishes_the_referrer_on_it()
    {
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 144);
        var image = builder.Image(SampleFormat.Oci, [1024]);
        await h.PushAsync(Source, "frozen", image, "v1");
        await h.Replicator().ReplicateAsync(Request("frozen", image.Digest, "v1", West), CancellationToken.None);
        await EcrArchiver.ArchiveAsync(h.Http, h.Server.BaseAddress, West, "frozen", image.Digest);
        var signature = builder.Artifact(image.Root, "application/vnd.dev.cosign.artifact.sig.v1+json", 256);
        await h.PushAsync(Source, "frozen", signature, null);
        h.Server.Calls.Reset();

        var result = await h.Replicator().ReplicateAsync(Request("frozen", signature.Digest, null, West), CancellationToken.None);

        var west = Assert.Single(result.Destinations);
        Assert.True(west.Succeeded, west.Message);
        Assert.Equal(1, h.Calls(West, "PutImage"));
        Assert.Empty(west.SubjectsPut);
        Assert.True(await h.Probe(West).HasVerifiedImageAsync("frozen", signature.Digest));
        var subject = await ImageDescriptions.FindAsync(h.Client(West), null, "frozen", new() { ImageDigest = image.Digest }, CancellationToken.None);
        Assert.Equal(Replicator.Core.Ecr.Model.ImageStatus.Archived, subject?.ImageStatus);
    }

    /// <summary>
    /// The inverted order one level deeper and under an index: a signature of an SBOM of a multi-arch index arrives
    /// before any of them. The index (with every platform manifest), the SBOM and the signature are copied subject first,
    /// and so is a signature of one platform manifest (a referrer of a manifest below the index).
    /// </summary>
    [Fact]
    public async Task A_signature_of_an_sbom_of_an_index_that_overtook_them_copies_the_index_its_children_and_the_chain()
    {
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 901);
        var index = builder.MultiArch(SampleFormat.Oci, [1024], withAttestation: true);
        var sbom = builder.Artifact(index.Root);
        var signature = builder.Artifact(sbom.Root, "application/vnd.dev.cosign.artifact.sig.v1+json", 64);
        var platformSignature = builder.Artifact(index.Manifests[0], "application/vnd.dev.cosign.artifact.sig.v1+json", 32);
        await h.PushAsync(Source, "inverted-index", index, "v1");
        await h.PushAsync(Source, "inverted-index", sbom, null);
        await h.PushAsync(Source, "inverted-index", signature, null);
        await h.PushAsync(Source, "inverted-index", platformSignature, null);

        var result = await h.Replicator().ReplicateAsync(Request("inverted-index", signature.Digest, null, West, Europe), CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("; ", result.Destinations.Select(d => d.Message)));
        foreach (var region in new[] { West, Europe })
        {
            foreach (var manifest in index.Manifests)
            {
                Assert.True(await h.Probe(region).HasVerifiedImageAsync("inverted-index", manifest.Digest), $"{manifest.Digest} in {region}");
            }

            Assert.True(await h.Probe(region).HasVerifiedImageAsync("inverted-index", index.Digest), $"the index in {region}");
            Assert.True(await h.Probe(region).HasVerifiedImageAsync("inverted-index", sbom.Digest), $"the SBOM in {region}");
            Assert.True(await h.Probe(region).HasVerifiedImageAsync("inverted-index", signature.Digest), $"the SBOM's signature in {region}");
            Assert.True(await h.Probe(region).HasVerifiedImageAsync("inverted-index", platformSignature.Digest), $"the platform manifest's signature in {region}");
        }

        // Every image this event wrote is named once for its announcement: the pushed signature itself, the subjects
        // it put first (the index, then the SBOM the index's copy brought along), the other referrers.
        Assert.All(result.Destinations, d =>
        {
            Assert.Equal([index.Digest, sbom.Digest], d.SubjectsPut);
            Assert.Contains(platformSignature.Digest, d.ReferrersPut);
            Assert.DoesNotContain(signature.Digest, d.ReferrersPut);
            Assert.Empty(d.ReferrersPut.Intersect(d.SubjectsPut));
        });
    }

    /// <summary>
    /// A signature of one platform manifest of an index arrives before the index: that manifest is copied first, then
    /// the signature; the index's own event, later, copies the rest and puts the tag.
    /// </summary>
    [Fact]
    public async Task A_signature_of_a_platform_manifest_that_overtook_its_index_copies_that_manifest_first()
    {
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 902);
        var index = builder.MultiArch(SampleFormat.Oci, [1024]);
        var signature = builder.Artifact(index.Manifests[1], "application/vnd.dev.cosign.artifact.sig.v1+json", 32);
        await h.PushAsync(Source, "inverted-child", index, "v1");
        await h.PushAsync(Source, "inverted-child", signature, null);

        var result = await h.Replicator().ReplicateAsync(Request("inverted-child", signature.Digest, null, West), CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("; ", result.Destinations.Select(d => d.Message)));
        Assert.True(await h.Probe(West).HasVerifiedImageAsync("inverted-child", index.Manifests[1].Digest));
        Assert.True(await h.Probe(West).HasVerifiedImageAsync("inverted-child", signature.Digest));
        Assert.Null(await h.TagDigestAsync(West, "inverted-child", "v1"));

        // The platform manifest has no push event of its own that would announce it: this result names it.
        Assert.Equal([index.Manifests[1].Digest], result.Destinations[0].SubjectsPut);

        var later = await h.Replicator().ReplicateAsync(Request("inverted-child", index.Digest, "v1", West), CancellationToken.None);

        Assert.True(later.Succeeded, later.Destinations[0].Message);
        Assert.Equal(index.Digest, await h.TagDigestAsync(West, "inverted-child", "v1"));
    }

    /// <summary>
    /// A copy that puts a referrer and then fails on the next one leaves the first in the destination; its retry's plan
    /// no longer holds it, so the failed result names it (the function announces it from there).
    /// </summary>
    [Fact]
    public async Task A_copy_that_fails_after_putting_a_referrer_still_names_that_referrer_and_its_retry_puts_only_the_rest()
    {
        BeforeRequestHandler? hook = null;
        await using var h = await StartAsync(inner => hook = new BeforeRequestHandler(inner));
        var builder = new SampleImageBuilder(seed: 903);
        var image = builder.Image(SampleFormat.Oci, [2048]);
        var sbom = builder.Artifact(image.Root);
        var signature = builder.Artifact(sbom.Root, "application/vnd.dev.cosign.artifact.sig.v1+json", 64);
        await h.PushAsync(Source, "half-signed", image, "v1");
        await h.PushAsync(Source, "half-signed", sbom, null);
        await h.PushAsync(Source, "half-signed", signature, null);
        hook!.Arm("PutImage", signature.Digest, () => Task.FromResult<HttpResponseMessage?>(Refusal()));

        var result = await h.Replicator().ReplicateAsync(Request("half-signed", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(hook.Fired);
        var west = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Failed, west.Outcome);
        Assert.Equal([sbom.Digest], west.ReferrersPut);
        Assert.True(await h.Probe(West).HasVerifiedImageAsync("half-signed", sbom.Digest));

        var retry = await h.Replicator().ReplicateAsync(Request("half-signed", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(retry.Succeeded, retry.Destinations[0].Message);
        Assert.Equal([signature.Digest], retry.Destinations[0].ReferrersPut);
    }

    /// <summary>
    /// A referrer whose event overtook its subject, and whose own put fails after the subject's copy wrote the subject
    /// (the source's referrer listing did not name the referrer yet, so the subject came alone): the failed result still
    /// names the subject, which the retry finds there and no longer puts.
    /// </summary>
    [Fact]
    public async Task A_referrer_that_fails_after_its_subject_was_copied_first_still_names_the_subject()
    {
        BeforeRequestHandler? listing = null;
        BeforeRequestHandler? put = null;
        await using var h = await StartAsync(inner => listing = new BeforeRequestHandler(put = new BeforeRequestHandler(inner)));
        var builder = new SampleImageBuilder(seed: 904);
        var index = builder.MultiArch(SampleFormat.Oci, [1024]);
        var signature = builder.Artifact(index.Manifests[0], "application/vnd.dev.cosign.artifact.sig.v1+json", 32);
        await h.PushAsync(Source, "overtaken", index, "v1");
        await h.PushAsync(Source, "overtaken", signature, null);
        listing!.Arm("ListImageReferrers", index.Manifests[0].Digest, () => Task.FromResult<HttpResponseMessage?>(Answer("""{"referrers":[]}""")));
        put!.Arm("PutImage", signature.Digest, () => Task.FromResult<HttpResponseMessage?>(Refusal()));

        var result = await h.Replicator().ReplicateAsync(Request("overtaken", signature.Digest, null, West), CancellationToken.None);

        Assert.True(listing.Fired);
        Assert.True(put.Fired);
        var west = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Failed, west.Outcome);
        Assert.Equal([index.Manifests[0].Digest], west.SubjectsPut);
        Assert.True(await h.Probe(West).HasVerifiedImageAsync("overtaken", index.Manifests[0].Digest));
        Assert.Null(await h.GetImageAsync(West, "overtaken", signature.Digest));

        var retry = await h.Replicator().ReplicateAsync(Request("overtaken", signature.Digest, null, West), CancellationToken.None);

        Assert.True(retry.Succeeded, retry.Destinations[0].Message);
        Assert.Empty(retry.Destinations[0].SubjectsPut);
        Assert.True(await h.Probe(West).HasVerifiedImageAsync("overtaken", signature.Digest));
    }

    private static HttpResponseMessage Answer(string json, System.Net.HttpStatusCode status = System.Net.HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/x-amz-json-1.1") };

    /// <summary>A permanent refusal (no retry spends time on it).</summary>
    private static HttpResponseMessage Refusal() =>
        Answer("""{"__type":"InvalidParameterException","message":"refused by the test"}""", System.Net.HttpStatusCode.BadRequest);

    [Fact]
    public async Task A_referrer_whose_subject_is_not_in_the_source_is_skipped_and_not_published()
    {
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 44);
        var image = builder.Image(SampleFormat.Oci, [1024]);
        var sbom = builder.Artifact(image.Root);
        await h.PushAsync(Source, "orphan", image, "v1");
        await h.PushAsync(Source, "orphan", sbom, null);
        await h.Client(Source).BatchDeleteImageAsync(new() { RepositoryName = "orphan", ImageIds = [new() { ImageDigest = image.Digest }] });

        var result = await h.Replicator().ReplicateAsync(Request("orphan", sbom.Digest, null, West), CancellationToken.None);

        var west = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Skipped, west.Outcome);
        Assert.Equal(ReplicationErrorCodes.SubjectNotFound, west.ErrorCode);
        Assert.Null(await h.GetImageAsync(West, "orphan", sbom.Digest));
    }

    /// <summary>
    /// A repeated referrer event (a redelivery) whose subject check in the destination goes unanswered (its
    /// DescribeImages refused): the subject's copy then reads the destination itself and finds the subject there, with
    /// the referrer (UpToDate). The subject is there, so the referrer is taken as it would be had the check answered: up
    /// to date, not skipped as a referrer whose subject never arrived.
    /// </summary>
    [Fact]
    public async Task A_referrer_whose_subject_check_fails_and_whose_subject_copy_finds_it_there_is_up_to_date()
    {
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 147);
        var image = builder.Image(SampleFormat.Oci, [1024]);
        var sbom = builder.Artifact(image.Root);
        await h.PushAsync(Source, "repeat", image, "v1");
        await h.PushAsync(Source, "repeat", sbom, null);
        Assert.True((await h.Replicator().ReplicateAsync(Request("repeat", image.Digest, "v1", West), CancellationToken.None)).Succeeded);
        Assert.True(await h.Probe(West).HasVerifiedImageAsync("repeat", sbom.Digest));

        // The subject check is the referrer event's first call in the destination.
        h.Server.Faults.FailNext("DescribeImages", 1, "InvalidParameterException", region: West);
        var result = await h.Replicator().ReplicateAsync(Request("repeat", sbom.Digest, null, West), CancellationToken.None);

        var west = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.UpToDate, west.Outcome);
        Assert.Null(west.ErrorCode);
    }

    [Fact]
    public async Task A_referrer_waits_transiently_when_its_subject_fails_in_a_destination()
    {
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 45);
        var image = builder.Image(SampleFormat.Oci, [1024]);
        var sbom = builder.Artifact(image.Root);
        await h.PushAsync(Source, "waits", image, "v1");
        await h.PushAsync(Source, "waits", sbom, null);

        // West cannot create the repository (a server error on every try), so the subject fails there.
        h.Server.Faults.FailNext("CreateRepository", 1000, "ServerException", 500, region: West);
        var result = await h.Replicator().ReplicateAsync(Request("waits", sbom.Digest, null, West, Europe), CancellationToken.None);

        var west = result.Destinations.Single(d => d.Destination.Region == West);
        Assert.Equal(ReplicationOutcome.Failed, west.Outcome);
        Assert.Equal(ReplicationErrorCodes.SubjectNotReplicated, west.ErrorCode);
        Assert.True(west.Transient);
        Assert.True(result.ShouldRetry);
        Assert.Null(await h.GetImageAsync(West, "waits", sbom.Digest));
        Assert.True(result.Destinations.Single(d => d.Destination.Region == Europe).Succeeded);
        Assert.True(await h.Probe(Europe).HasVerifiedImageAsync("waits", sbom.Digest));
    }

    [Fact]
    public async Task A_referrer_event_that_copied_its_subject_reports_the_subjects_bytes_and_Replicated()
    {
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 46);
        var image = builder.Image(SampleFormat.Oci, [4096]);
        var signature = builder.Artifact(image.Root, "application/vnd.dev.cosign.artifact.sig.v1+json", 256);
        await h.PushAsync(Source, "carried", image, "v1");
        await h.PushAsync(Source, "carried", signature, null);

        // The signature's event first: copying the image first brings the signature along with it, so the signature's
        // own copy then finds itself there; the bytes were still written by this request.
        var result = await h.Replicator().ReplicateAsync(Request("carried", signature.Digest, null, West), CancellationToken.None);

        var west = Assert.Single(result.Destinations);
        Assert.True(west.Succeeded, west.Message);
        Assert.Equal(ReplicationOutcome.Replicated, west.Outcome);
        Assert.Equal(signature.Digest, west.Digest);
        Assert.True(west.BytesCopied >= 4096 + 256, $"BytesCopied {west.BytesCopied}");
        Assert.True(west.LayersCopied >= 2, $"LayersCopied {west.LayersCopied}");
        Assert.True(await h.Probe(West).HasVerifiedImageAsync("carried", image.Digest));
    }

    [Fact]
    public async Task A_chain_deeper_than_the_bound_waits_for_its_subject_instead_of_publishing_a_referrer_that_points_at_nothing()
    {
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 47);
        var image = builder.Image(SampleFormat.Oci, [1024]);
        await h.PushAsync(Source, "deep", image, "v1");
        var chain = new List<SampleImage>();
        var subject = image;
        for (var i = 0; i <= ImageReplicator.MaxSubjectDepth; i++)
        {
            subject = new SampleImageBuilder((ulong)(470 + i)).Artifact(subject.Root, $"application/vnd.example.level{i}+json", 128);
            await h.PushAsync(Source, "deep", subject, null);
            chain.Add(subject);
        }

        // Only the last referrer's event: its chain climbs MaxSubjectDepth subjects and stops at chain[0], whose subject
        // (the image) nobody copied.
        var top = chain[^1];
        var result = await h.Replicator().ReplicateAsync(Request("deep", top.Digest, null, West), CancellationToken.None);

        var west = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Failed, west.Outcome);
        Assert.True(west.Transient);
        Assert.True(result.ShouldRetry);
        Assert.Equal(ReplicationErrorCodes.SubjectNotReplicated, west.ErrorCode);
        Assert.Contains(image.Digest, west.Message, StringComparison.Ordinal);
        foreach (var referrer in chain)
        {
            Assert.Null(await h.GetImageAsync(West, "deep", referrer.Digest));
        }

        // Once the image's own push is replicated, the retry publishes the chain.
        Assert.True((await h.Replicator().ReplicateAsync(Request("deep", image.Digest, "v1", West), CancellationToken.None)).Succeeded);
        var retried = await h.Replicator().ReplicateAsync(Request("deep", top.Digest, null, West), CancellationToken.None);

        Assert.True(retried.Succeeded, retried.Destinations[0].Message);
        foreach (var referrer in chain)
        {
            Assert.True(await h.Probe(West).HasVerifiedImageAsync("deep", referrer.Digest), referrer.Digest);
        }
    }

    [Fact]
    public async Task A_chain_past_the_bound_whose_subject_is_in_one_destination_only_replicates_there_and_waits_in_the_other()
    {
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 48);
        var image = builder.Image(SampleFormat.Oci, [1024]);
        await h.PushAsync(Source, "half", image, "v1");
        Assert.True((await h.Replicator().ReplicateAsync(Request("half", image.Digest, "v1", West), CancellationToken.None)).Succeeded);
        var chain = new List<SampleImage>();
        var subject = image;
        for (var i = 0; i <= ImageReplicator.MaxSubjectDepth; i++)
        {
            subject = new SampleImageBuilder((ulong)(480 + i)).Artifact(subject.Root, $"application/vnd.example.level{i}+json", 128);
            await h.PushAsync(Source, "half", subject, null);
            chain.Add(subject);
        }

        // The chain's bottom finds its subject in West only: West copies the chain's layers while Europe waits for the
        // image. Generous, so that a copy waiting for Europe fails this test instead of hanging the suite.
        using var generous = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var result = await h.Replicator().ReplicateAsync(Request("half", chain[^1].Digest, null, West, Europe), generous.Token);

        var west = result.Destinations.Single(d => d.Destination.Region == West);
        Assert.True(west.Succeeded, west.Message);
        Assert.Equal(ReplicationOutcome.Replicated, west.Outcome);
        foreach (var referrer in chain)
        {
            Assert.True(await h.Probe(West).HasVerifiedImageAsync("half", referrer.Digest), referrer.Digest);
        }

        var europe = result.Destinations.Single(d => d.Destination.Region == Europe);
        Assert.Equal(ReplicationOutcome.Failed, europe.Outcome);
        Assert.Equal(ReplicationErrorCodes.SubjectNotReplicated, europe.ErrorCode);
        Assert.True(europe.Transient);
        foreach (var referrer in chain)
        {
            Assert.Null(await h.GetImageAsync(Europe, "half", referrer.Digest));
        }
    }
}
