using System.Text;
using Replicator.Core.Manifests;
using Replicator.Core.Replication;
using Replicator.Samples;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Replication;

/// <summary>
/// Real but unusual image shapes, each copied end to end through LocalEcr: every manifest lands byte-exact under the
/// source's digest and media type, the tag on the root, and a second copy finds nothing to do.
/// </summary>
public sealed class UnusualImageTests
{
    private const string Repository = "odd/shapes";

    /// <summary>
    /// An index of indexes whose outer index and one image omit <c>mediaType</c> (OCI image-spec image-index.md and
    /// manifest.md make it optional; PutImage then needs <c>imageManifestMediaType</c>, botocore ECR model), whose inner
    /// index lists an OCI artifact (<c>artifactType</c>, the two-byte empty config and layer), and whose image names one
    /// blob as config and layer and another layer twice.
    /// </summary>
    [Fact]
    public async Task A_nested_index_with_an_artifact_child_and_manifests_without_mediaType_lands_byte_exact()
    {
        await using var h = await StartAsync();
        var empty = Blob("{}", MediaTypes.OciEmpty);
        var payload = Blob("payload", MediaTypes.OciLayer);
        var config = Blob("""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}""", MediaTypes.OciConfig);
        var image = Manifest($$"""{"schemaVersion":2,"config":{{Ref(config)}},"layers":[{{Ref(payload)}},{{Ref(payload)}},{"mediaType":"{{MediaTypes.OciLayer}}","digest":"{{config.Digest}}","size":{{config.Size}}}]}""", MediaTypes.OciManifest);
        var artifact = Manifest($$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.OciManifest}}","artifactType":"application/vnd.example.sbom","config":{{Ref(empty)}},"layers":[{{Ref(empty)}}]}""", MediaTypes.OciManifest);
        var inner = Manifest($$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.OciIndex}}","manifests":[{{Ref(image, ""","platform":{"architecture":"amd64","os":"linux"}""")}},{{Ref(artifact, ""","artifactType":"application/vnd.example.sbom" """)}}]}""", MediaTypes.OciIndex);
        var outer = Manifest($$"""{"schemaVersion":2,"manifests":[{{Ref(inner)}}]}""", MediaTypes.OciIndex);

        await CopyTwiceAsync(h, new SampleImage([empty, payload, config], [image, artifact, inner, outer]), "v1");
    }

    /// <summary>
    /// An index listing one image twice (two ARM variants served by one build) and an empty index, and an image with
    /// no layers: shapes OCI allows and ECR keeps.
    /// </summary>
    [Fact]
    public async Task An_index_listing_one_child_twice_and_an_empty_index_lands_byte_exact()
    {
        await using var h = await StartAsync();
        var config = Blob("""{"architecture":"arm","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}""", MediaTypes.OciConfig);
        var image = Manifest($$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.OciManifest}}","config":{{Ref(config)}},"layers":[]}""", MediaTypes.OciManifest);
        var emptyIndex = Manifest($$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.OciIndex}}","manifests":[]}""", MediaTypes.OciIndex);
        var root = Manifest($$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.OciIndex}}","manifests":[{{Ref(image, ""","platform":{"architecture":"arm","os":"linux","variant":"v7"}""")}},{{Ref(image, ""","platform":{"architecture":"arm","os":"linux","variant":"v8"}""")}},{{Ref(emptyIndex)}}]}""", MediaTypes.OciIndex);

        await CopyTwiceAsync(h, new SampleImage([config], [image, emptyIndex, root]), "v1");
    }

    /// <summary>
    /// A root manifest of exactly ECR's largest, 4,194,304 (botocore ECR model, ImageManifest), some of it characters
    /// that JSON escapes on the wire (the limit is on the manifest, not on the request), under a tag of the model's
    /// longest (ImageTag, 300) made of ECR's tag characters, a leading '-' and '.' included.
    /// </summary>
    [Fact]
    public async Task A_manifest_of_the_largest_size_under_the_longest_tag_lands_byte_exact()
    {
        await using var h = await StartAsync();
        var config = Blob("""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}""", MediaTypes.OciConfig);
        var head = $$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.OciManifest}}","config":{{Ref(config)}},"layers":[],"annotations":{"x":""" + "\"";
        const string Tail = "\"}}";
        var room = ManifestParser.MaxManifestBytes - Encoding.UTF8.GetByteCount(head) - Tail.Length;
        var filler = string.Concat(Enumerable.Repeat("\\\"<>&", 200));
        var json = head + filler + new string('a', room - filler.Length) + Tail;
        Assert.Equal(ManifestParser.MaxManifestBytes, Encoding.UTF8.GetByteCount(json));
        var tag = ("-." + string.Concat(Enumerable.Repeat("Ab_9.-", 50)))[..300];

        await CopyTwiceAsync(h, new SampleImage([config], [Manifest(json, MediaTypes.OciManifest)]), tag);
    }

    private static async Task CopyTwiceAsync(EngineHarness h, SampleImage image, string tag)
    {
        await h.PushAsync(Source, Repository, image, tag);

        var result = await h.Replicator().ReplicateAsync(Request(Repository, image.Digest, tag, West, Europe), CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("; ", result.Destinations.Select(d => $"{d.ErrorCode}: {d.Message}")));
        Assert.All(result.Destinations, d => Assert.Equal(ReplicationOutcome.Replicated, d.Outcome));
        foreach (var region in new[] { West, Europe })
        {
            foreach (var manifest in image.Manifests)
            {
                var copied = await h.GetImageAsync(region, Repository, manifest.Digest);
                Assert.NotNull(copied);
                Assert.Equal(manifest.Manifest, copied.ImageManifest);
                Assert.Equal(manifest.MediaType, copied.ImageManifestMediaType);
            }

            foreach (var blob in image.Blobs)
            {
                Assert.True(await h.HasBlobAsync(region, Repository, blob.Digest), $"{blob.Digest} missing in {region}");
            }

            Assert.Equal(image.Digest, await h.TagDigestAsync(region, Repository, tag));
        }

        h.Server.Calls.Reset();
        var again = await h.Replicator().ReplicateAsync(Request(Repository, image.Digest, tag, West, Europe), CancellationToken.None);

        Assert.All(again.Destinations, d => Assert.Equal(ReplicationOutcome.UpToDate, d.Outcome));
        Assert.Equal(0, h.Calls(West, "PutImage") + h.Calls(Europe, "PutImage") + h.Calls(West, "InitiateLayerUpload") + h.Calls(Europe, "InitiateLayerUpload"));
    }

    private static SampleBlob Blob(string text, string mediaType)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return new SampleBlob(Digest.Compute(bytes), bytes.Length, mediaType, new BytesContent(bytes));
    }

    private static SampleManifest Manifest(string json, string mediaType) => new(Digest.Compute(Encoding.UTF8.GetBytes(json)), mediaType, json);

    private static string Ref(SampleBlob blob) => $$"""{"mediaType":"{{blob.MediaType}}","digest":"{{blob.Digest}}","size":{{blob.Size}}}""";

    private static string Ref(SampleManifest manifest, string more = "") =>
        $$"""{"mediaType":"{{manifest.MediaType}}","digest":"{{manifest.Digest}}","size":{{manifest.Size}}{{more}}}""";
}
