using Replicator.Core.Ecr.Model;
using Replicator.Core.Manifests;
using Replicator.Core.Replication;
using Replicator.Samples;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Replication;

/// <summary>
/// Docker schema 1 carries no blob sizes: the engine learns them from the source and still copies exactly. A signed
/// one is identified by the digest the source reported (LocalEcr, like the ECR API, reports sha256 over the exact
/// bytes), not by its JWS payload digest.
/// </summary>
public sealed class Schema1Tests
{
    [Fact]
    public async Task An_unsigned_schema1_image_is_copied_with_its_blobs_sized_from_the_source()
    {
        await using var h = await StartAsync();
        var layers = new SampleImageBuilder(seed: 50).Image(SampleFormat.Docker, [70_000, 5_000]).Blobs;
        var manifest = $$"""
            {
               "schemaVersion": 1,
               "name": "legacy",
               "tag": "1.0",
               "architecture": "amd64",
               "fsLayers": [
                  { "blobSum": "{{layers[2].Digest}}" },
                  { "blobSum": "{{layers[1].Digest}}" },
                  { "blobSum": "{{layers[2].Digest}}" }
               ],
               "history": [ { "v1Compatibility": "{}" }, { "v1Compatibility": "{}" }, { "v1Compatibility": "{}" } ]
            }
            """;
        var digest = Digest.Compute(System.Text.Encoding.UTF8.GetBytes(manifest));
        var source = h.Client(Source);
        await SampleImagePusher.PushAsync(source, "legacy", new SampleImage([layers[1], layers[2]], []), tag: null);
        await source.PutImageAsync(new PutImageRequest { RepositoryName = "legacy", ImageManifest = manifest, ImageManifestMediaType = MediaTypes.DockerSchema1, ImageTag = "1.0" });

        var result = await h.Replicator().ReplicateAsync(Request("legacy", digest, "1.0", West), CancellationToken.None);

        Assert.True(result.Succeeded, result.Destinations[0].Message);
        Assert.Equal(2, result.Destinations[0].LayersCopied);
        Assert.Equal(layers[1].Size + layers[2].Size, result.Destinations[0].BytesCopied);
        var copied = await h.GetImageAsync(West, "legacy", digest);
        Assert.Equal(manifest, copied?.ImageManifest);
        Assert.Equal(digest, await h.TagDigestAsync(West, "legacy", "1.0"));
    }

    [Fact]
    public async Task A_signed_schema1_image_is_tagged_with_the_source_digest_and_up_to_date_on_replay()
    {
        await using var h = await StartAsync();
        var layers = new SampleImageBuilder(seed: 51).Image(SampleFormat.Docker, [40_000]).Blobs;
        var manifest = SignedSchema1(layers[1].Digest);
        var source = h.Client(Source);
        await SampleImagePusher.PushAsync(source, "legacy", new SampleImage([layers[1]], []), tag: null);
        var pushed = await source.PutImageAsync(new PutImageRequest { RepositoryName = "legacy", ImageManifest = manifest, ImageManifestMediaType = MediaTypes.DockerSchema1Signed, ImageTag = "1.0" });
        var digest = pushed.Image!.ImageId!.ImageDigest!;
        Assert.NotEqual(ManifestParser.Parse(manifest, MediaTypes.DockerSchema1Signed).Schema1PayloadDigest, digest);

        var first = await h.Replicator().ReplicateAsync(Request("legacy", digest, "1.0", West), CancellationToken.None);
        var putsAfterFirst = h.Calls(West, "PutImage");
        var second = await h.Replicator().ReplicateAsync(Request("legacy", digest, "1.0", West), CancellationToken.None);

        Assert.True(first.Succeeded, first.Destinations[0].Message);
        Assert.Equal(digest, first.SourceDigest);
        Assert.Equal(manifest, (await h.GetImageAsync(West, "legacy", digest))?.ImageManifest);
        Assert.Equal(digest, await h.TagDigestAsync(West, "legacy", "1.0"));
        Assert.Equal(ReplicationOutcome.UpToDate, second.Destinations[0].Outcome);
        Assert.Equal(putsAfterFirst, h.Calls(West, "PutImage"));
    }

    [Fact]
    public async Task A_manifest_list_with_a_signed_schema1_child_is_copied()
    {
        await using var h = await StartAsync();
        var layers = new SampleImageBuilder(seed: 52).Image(SampleFormat.Docker, [30_000]).Blobs;
        var child = SignedSchema1(layers[1].Digest);
        var childDigest = Digest.Compute(System.Text.Encoding.UTF8.GetBytes(child));
        var list = $$"""
            {
               "schemaVersion": 2,
               "mediaType": "{{MediaTypes.DockerManifestList}}",
               "manifests": [
                  {
                     "mediaType": "{{MediaTypes.DockerSchema1Signed}}",
                     "size": {{System.Text.Encoding.UTF8.GetByteCount(child)}},
                     "digest": "{{childDigest}}",
                     "platform": { "architecture": "amd64", "os": "linux" }
                  }
               ]
            }
            """;
        var listDigest = Digest.Compute(System.Text.Encoding.UTF8.GetBytes(list));
        var source = h.Client(Source);
        await SampleImagePusher.PushAsync(source, "legacy", new SampleImage([layers[1]], []), tag: null);
        await source.PutImageAsync(new PutImageRequest { RepositoryName = "legacy", ImageManifest = child, ImageManifestMediaType = MediaTypes.DockerSchema1Signed });
        await source.PutImageAsync(new PutImageRequest { RepositoryName = "legacy", ImageManifest = list, ImageManifestMediaType = MediaTypes.DockerManifestList, ImageTag = "multi" });

        var result = await h.Replicator().ReplicateAsync(Request("legacy", listDigest, "multi", West), CancellationToken.None);

        Assert.True(result.Succeeded, result.Destinations[0].Message);
        Assert.Equal(child, (await h.GetImageAsync(West, "legacy", childDigest))?.ImageManifest);
        Assert.Equal(listDigest, await h.TagDigestAsync(West, "legacy", "multi"));
    }

    /// <summary>
    /// A signed schema 1 manifest laid out as docker/libtrust signs one: the JWS payload is the bytes up to
    /// <c>formatLength</c> followed by <c>formatTail</c>, the signatures sit in between. The signature itself is not
    /// checked by anyone here, only the payload's extent.
    /// </summary>
    private static string SignedSchema1(string blobSum)
    {
        var head = $$"""
            {
               "schemaVersion": 1,
               "name": "legacy",
               "tag": "1.0",
               "architecture": "amd64",
               "fsLayers": [ { "blobSum": "{{blobSum}}" } ],
               "history": [ { "v1Compatibility": "{}" } ]
            """;
        const string tail = "\n}";
        var header = $$"""{"formatLength":{{System.Text.Encoding.UTF8.GetByteCount(head)}},"formatTail":"{{System.Buffers.Text.Base64Url.EncodeToString("\n}"u8)}}"}""";
        var signature = $$"""
            ,
               "signatures": [ { "header": { "alg": "ES256" }, "signature": "c2ln", "protected": "{{System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(header))}}" } ]
            """;
        return head + signature + tail;
    }
}
