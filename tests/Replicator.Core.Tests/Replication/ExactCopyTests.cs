using Replicator.Core.Manifests;
using Replicator.Core.Replication;
using Replicator.Samples;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Replication;

/// <summary>Each manifest kind arrives byte-exact (same digest, same manifest string and media type) in every destination.</summary>
public sealed class ExactCopyTests
{
    private static readonly long[] Layers = [300_000, 6 * 1024 * 1024 + 17];

    /// <summary>Two Windows base layers, as mcr.microsoft.com serves them: only their URLs are in the manifest.</summary>
    private static readonly (string Digest, long Size)[] ForeignLayers =
    [
        ("sha256:485915631b4f981e2277d131c9a0c04592b4024a409dbb54896f5ae6c9a590bd", 1_502_345_678),
        ("sha256:fc59c71d358cf473ce7fea230648416d44167a13445f0e6d6f045b96ec12c6c9", 9_000_000),
    ];

    public static TheoryData<string> Kinds => ["oci", "docker", "docker-list", "oci-index-attested", "docker-windows-foreign"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Every_manifest_kind_lands_with_the_source_digest_in_every_destination(string kind)
    {
        PassThroughRecorder? recorder = null;
        await using var h = await StartAsync(inner => recorder = new PassThroughRecorder(inner));
        var builder = new SampleImageBuilder(seed: 7);
        var image = kind switch
        {
            "oci" => builder.Image(SampleFormat.Oci, Layers),
            "docker" => builder.Image(SampleFormat.Docker, Layers),
            "docker-list" => builder.MultiArch(SampleFormat.Docker, Layers),
            "docker-windows-foreign" => WithForeignLayers(builder.Image(SampleFormat.Docker, Layers, "amd64")),
            _ => builder.MultiArch(SampleFormat.Oci, Layers, withAttestation: true),
        };
        await h.PushAsync(Source, "team/app", image, "v1");
        recorder!.Requests.Clear();

        var result = await h.Replicator().ReplicateAsync(Request("team/app", image.Digest, "v1", West, Europe), CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("; ", result.Destinations.Select(d => d.Message)));
        // Foreign layers the source does not hold are asked about once, of the source, for both destinations, and
        // neither downloaded nor uploaded: after that only the manifest's own PutImage names them, and ECR accepts it
        // without them (docs/fidelity.md).
        var naming = recorder.Requests.Where(r => ForeignLayers.Any(f => System.Text.Encoding.UTF8.GetString(r.Body).Contains(f.Digest, StringComparison.Ordinal))).Select(r => r.Operation).ToList();
        Assert.Equal(kind == "docker-windows-foreign" ? ["BatchCheckLayerAvailability", "PutImage"] : Array.Empty<string>(), naming.Distinct());
        Assert.Equal(kind == "docker-windows-foreign" ? 1 : 0, naming.Count(o => o == "BatchCheckLayerAvailability"));
        Assert.All(result.Destinations, d => Assert.Equal(kind == "docker-windows-foreign" ? ForeignLayers.Length : 0, d.NonDistributableSkipped));
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

    /// <summary>
    /// A source that holds its foreign layers (pushed with Docker's allow-nondistributable-artifacts, as an air-gapped
    /// site does) has every destination hold them too: they are copied like any layer, not left to URLs the
    /// destination's nodes may not reach. The same for the foreign types no spec ECR cites defines (containerd's
    /// uncompressed Docker foreign layer, an OCI non-distributable compression the image spec does not list): LocalEcr
    /// requires those at PutImage, and the replicator, which treats them as maybe foreign, copies them because the
    /// source holds them.
    /// </summary>
    [Theory]
    [InlineData("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip")]
    [InlineData("application/vnd.docker.image.rootfs.foreign.diff.tar")]
    [InlineData("application/vnd.oci.image.layer.nondistributable.v1.tar+lz4")]
    public async Task A_foreign_layer_the_source_holds_is_copied_to_every_destination(string mediaType)
    {
        await using var h = await StartAsync();
        var plain = new SampleImageBuilder(seed: 9).Image(SampleFormat.Docker, [250_000, 400_000], "amd64");
        var json = System.Text.Json.Nodes.JsonNode.Parse(plain.Root.Manifest)!.AsObject();
        var baseLayer = json["layers"]![0]!.AsObject();
        baseLayer["mediaType"] = mediaType;
        baseLayer["urls"] = new System.Text.Json.Nodes.JsonArray($"https://mcr.microsoft.com/v2/windows/servercore/blobs/{baseLayer["digest"]}");
        var manifest = json.ToJsonString();
        // The pusher uploads every blob of the image, the foreign one included: the source holds it.
        var image = new SampleImage(plain.Blobs, [new SampleManifest(Digest.Compute(System.Text.Encoding.UTF8.GetBytes(manifest)), plain.Root.MediaType, manifest)]);
        var foreign = baseLayer["digest"]!.GetValue<string>();
        await h.PushAsync(Source, "win/app", image, "ltsc");

        var result = await h.Replicator().ReplicateAsync(Request("win/app", image.Digest, "ltsc", West, Europe), CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("; ", result.Destinations.Select(d => d.Message)));
        Assert.Equal(2, result.Destinations.Count);
        Assert.All(result.Destinations, d =>
        {
            Assert.Equal(0, d.NonDistributableSkipped);
            Assert.Equal(image.Blobs.Count, d.LayersCopied);
        });
        foreach (var region in new[] { West, Europe })
        {
            Assert.True(await h.HasBlobAsync(region, "win/app", foreign), $"the foreign layer is missing in {region}");
            Assert.Equal(image.Digest, await h.TagDigestAsync(region, "win/app", "ltsc"));
        }
    }

    /// <summary>The image with <see cref="ForeignLayers"/> first in its layers, as a Windows image names its base.</summary>
    private static SampleImage WithForeignLayers(SampleImage image)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(image.Root.Manifest)!.AsObject();
        var layers = json["layers"]!.AsArray();
        for (var i = ForeignLayers.Length - 1; i >= 0; i--)
        {
            var (digest, size) = ForeignLayers[i];
            layers.Insert(0, new System.Text.Json.Nodes.JsonObject
            {
                ["mediaType"] = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
                ["size"] = size,
                ["digest"] = digest,
                ["urls"] = new System.Text.Json.Nodes.JsonArray($"https://mcr.microsoft.com/v2/windows/servercore/blobs/{digest}"),
            });
        }

        var manifest = json.ToJsonString();
        return new SampleImage(image.Blobs, [new SampleManifest(Digest.Compute(System.Text.Encoding.UTF8.GetBytes(manifest)), image.Root.MediaType, manifest)]);
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
