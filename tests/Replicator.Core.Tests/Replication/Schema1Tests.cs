using Replicator.Core.Ecr.Model;
using Replicator.Core.Manifests;
using Replicator.Samples;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Replication;

/// <summary>Docker schema 1 carries no blob sizes: the engine learns them from the source and still copies exactly.</summary>
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
}
