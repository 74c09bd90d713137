using Replicator.Core.Manifests;
using Replicator.Core.Replication;
using Replicator.Samples;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Replication;

/// <summary>Each manifest kind arrives byte-exact (same digest, same manifest string and media type) in every destination.</summary>
public sealed class ExactCopyTests
{
    private static readonly long[] Layers = [300_000, 6 * 1024 * 1024 + 17];

    public static TheoryData<string> Kinds => ["oci", "docker", "docker-list", "oci-index-attested"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Every_manifest_kind_lands_with_the_source_digest_in_every_destination(string kind)
    {
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 7);
        var image = kind switch
        {
            "oci" => builder.Image(SampleFormat.Oci, Layers),
            "docker" => builder.Image(SampleFormat.Docker, Layers),
            "docker-list" => builder.MultiArch(SampleFormat.Docker, Layers),
            _ => builder.MultiArch(SampleFormat.Oci, Layers, withAttestation: true),
        };
        await h.PushAsync(Source, "team/app", image, "v1");

        var result = await h.Replicator().ReplicateAsync(Request("team/app", image.Digest, "v1", West, Europe), CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("; ", result.Destinations.Select(d => d.Message)));
        Assert.Equal(image.Digest, result.SourceDigest);
        foreach (var region in new[] { West, Europe })
        {
            foreach (var manifest in image.Manifests)
            {
                var copied = await h.GetImageAsync(region, "team/app", manifest.Digest);
                Assert.NotNull(copied);
                Assert.Equal(manifest.Manifest, copied.ImageManifest);
                Assert.Equal(manifest.MediaType, copied.ImageManifestMediaType);
            }

            foreach (var blob in image.Blobs)
            {
                Assert.True(await h.HasBlobAsync(region, "team/app", blob.Digest), $"{blob.Digest} missing in {region}");
            }

            Assert.Equal(image.Digest, await h.TagDigestAsync(region, "team/app", "v1"));
        }

        var west = result.Destinations.Single(d => d.Destination.Region == West);
        Assert.Equal(ReplicationOutcome.Replicated, west.Outcome);
        Assert.Equal(image.Digest, west.Digest);
        Assert.Equal(image.Blobs.Count, west.LayersCopied);
        Assert.Equal(image.TotalBlobBytes, west.BytesCopied);
    }

    [Fact]
    public async Task The_tag_goes_on_the_root_only()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 8).MultiArch(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "multi", image, "latest");

        await h.Replicator().ReplicateAsync(Request("multi", image.Digest, "latest", West), CancellationToken.None);

        var described = await h.Client(West).DescribeImagesAsync(new() { RepositoryName = "multi" });
        var tagged = described.ImageDetails!.Where(d => d.ImageTags is { Count: > 0 }).ToList();
        Assert.Single(tagged);
        Assert.Equal(image.Digest, tagged[0].ImageDigest);
        Assert.Equal(image.Manifests.Count, described.ImageDetails!.Count);
    }

    [Fact]
    public async Task An_oci_artifact_with_a_subject_and_inline_empty_config_is_copied_after_its_subject()
    {
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 9);
        var subject = builder.Image(SampleFormat.Oci, [2048]);
        var artifact = builder.Artifact(subject.Root);
        await h.PushAsync(Source, "signed", subject, "v1");
        await h.PushAsync(Source, "signed", artifact, null);
        var replicator = h.Replicator();

        var first = await replicator.ReplicateAsync(Request("signed", subject.Digest, "v1", West), CancellationToken.None);
        var second = await replicator.ReplicateAsync(Request("signed", artifact.Digest, null, West), CancellationToken.None);

        Assert.True(first.Succeeded);
        Assert.True(second.Succeeded, second.Destinations[0].Message);
        var copied = await h.GetImageAsync(West, "signed", artifact.Digest);
        Assert.Equal(artifact.Root.Manifest, copied?.ImageManifest);
        var referrers = await h.Client(West).ListImageReferrersAsync(new() { RepositoryName = "signed", SubjectId = new() { ImageDigest = subject.Digest } });
        Assert.Contains(referrers.Referrers!, r => r.Digest == artifact.Digest);
    }

    [Fact]
    public async Task A_tag_only_request_resolves_the_digest_at_the_source()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 10).Image(SampleFormat.Docker, [4096]);
        await h.PushAsync(Source, "bytag", image, "stable");

        var result = await h.Replicator().ReplicateAsync(Request("bytag", null, "stable", West), CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Equal(image.Digest, result.SourceDigest);
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "bytag", "stable"));
    }

    [Fact]
    public async Task A_manifest_parsed_from_the_copy_hashes_to_the_source_digest()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 11).MultiArch(SampleFormat.Docker, [512]);
        await h.PushAsync(Source, "hash", image, "t");

        await h.Replicator().ReplicateAsync(Request("hash", image.Digest, "t", West), CancellationToken.None);

        var copied = await h.GetImageAsync(West, "hash", image.Digest);
        Assert.Equal(image.Digest, Digest.Compute(System.Text.Encoding.UTF8.GetBytes(copied!.ImageManifest!)));
    }
}
