using System.Security.Cryptography;
using Replicator.Core.Manifests;
using Replicator.Core.Planning;
using Replicator.Samples;

namespace Replicator.Core.Tests.Samples;

public class SampleImageBuilderTests
{
    private static readonly long[] Sizes = [3000, 70_001, 0];

    [Theory]
    [InlineData(SampleFormat.Oci, MediaTypes.OciManifest, MediaTypes.OciConfig)]
    [InlineData(SampleFormat.Docker, MediaTypes.DockerManifest, MediaTypes.DockerConfig)]
    public void Single_image_parses_back_and_names_exactly_its_blobs(SampleFormat format, string manifestType, string configType)
    {
        var image = new SampleImageBuilder(7).Image(format, Sizes);
        var manifest = ManifestParser.Parse(image.Root.Manifest, image.Root.MediaType, image.Digest);

        Assert.Equal(manifestType, manifest.MediaType);
        Assert.Equal(configType, manifest.Config!.MediaType);
        Assert.Equal(image.Blobs.Select(b => (b.Digest, b.Size, b.MediaType)), manifest.Blobs.Select(b => (b.Digest, b.Size, b.MediaType)));
        Assert.Equal(Sizes, manifest.Layers.Select(l => l.Size));
        Assert.DoesNotContain("\\u002B", image.Root.Manifest, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_blob_content_hashes_to_its_digest_and_has_its_size()
    {
        var image = new SampleImageBuilder(7).MultiArch(SampleFormat.Oci, Sizes, withAttestation: true);

        Assert.NotEmpty(image.Blobs);
        Assert.All(image.Blobs, blob =>
        {
            using var stream = blob.Content.OpenRead();
            var bytes = new MemoryStream();
            stream.CopyTo(bytes);
            Assert.Equal(blob.Size, bytes.Length);
            Assert.Equal(blob.Size, blob.Content.Length);
            Assert.Equal(blob.Digest, Digest.Compute(bytes.ToArray()));
        });
    }

    [Fact]
    public void Config_diff_ids_are_the_uncompressed_oci_layer_digests()
    {
        var image = new SampleImageBuilder(3).Image(SampleFormat.Oci, Sizes);
        var config = System.Text.Encoding.UTF8.GetString(((BytesContent)image.Blobs[0].Content).Bytes.Span);

        Assert.Equal(Sizes.Length + 1, image.Blobs.Count);
        Assert.All(image.Blobs.Skip(1), layer => Assert.Contains(layer.Digest, config, StringComparison.Ordinal));
        Assert.All(image.Blobs.Skip(1), layer => Assert.Equal(MediaTypes.OciLayer, layer.MediaType));
    }

    [Fact]
    public void Same_seed_gives_the_same_image_and_another_seed_another()
    {
        var first = new SampleImageBuilder(42).MultiArch(SampleFormat.Docker, Sizes);
        var again = new SampleImageBuilder(42).MultiArch(SampleFormat.Docker, Sizes);
        var other = new SampleImageBuilder(43).MultiArch(SampleFormat.Docker, Sizes);

        Assert.Equal(first.Manifests, again.Manifests);
        Assert.NotEqual(first.Digest, other.Digest);
        Assert.NotEqual(first.Blobs[1].Digest, other.Blobs[1].Digest);
    }

    [Fact]
    public void Multi_arch_index_comes_last_after_its_children_with_a_shared_base_layer_listed_once()
    {
        var image = new SampleImageBuilder(1).MultiArch(SampleFormat.Docker, Sizes);
        var index = ManifestParser.Parse(image.Root.Manifest, image.Root.MediaType, image.Digest);

        Assert.Equal(MediaTypes.DockerManifestList, index.MediaType);
        Assert.Equal(image.Manifests.Take(2).Select(m => (m.Digest, m.Size)), index.Manifests.Select(c => (c.Digest, c.Size)));
        Assert.Equal(["linux/amd64", "linux/arm64/v8"], index.Manifests.Select(c => c.Platform!.ToString()));
        var amd64 = ManifestParser.Parse(image.Manifests[0].Manifest, null);
        var arm64 = ManifestParser.Parse(image.Manifests[1].Manifest, null);
        Assert.Equal(amd64.Layers[0].Digest, arm64.Layers[0].Digest);
        Assert.NotEqual(amd64.Layers[1].Digest, arm64.Layers[1].Digest);
        Assert.Equal(image.Blobs.Count, image.Blobs.Select(b => b.Digest).Distinct().Count());
        Assert.Equal(amd64.Blobs.Concat(arm64.Blobs).Select(b => b.Digest).Distinct().Order(), image.Blobs.Select(b => b.Digest).Order());
    }

    [Fact]
    public void Attestation_is_an_oci_index_entry_pointing_at_the_amd64_image()
    {
        var image = new SampleImageBuilder(1).MultiArch(SampleFormat.Docker, Sizes, withAttestation: true);
        var index = ManifestParser.Parse(image.Root.Manifest, null);
        var entry = index.Manifests[2];
        var attestation = ManifestParser.Parse(image.Manifests[2].Manifest, null, entry.Digest);

        Assert.Equal(MediaTypes.OciIndex, index.MediaType);
        Assert.Equal(SampleImageBuilder.AttestationReferenceType, entry.Annotations["vnd.docker.reference.type"]);
        Assert.Equal(index.Manifests[0].Digest, entry.Annotations["vnd.docker.reference.digest"]);
        Assert.Equal("unknown/unknown", entry.Platform!.ToString());
        Assert.Equal("application/vnd.in-toto+json", Assert.Single(attestation.Layers).MediaType);
    }

    [Fact]
    public void Artifact_refers_to_its_subject_with_the_inline_empty_config()
    {
        var builder = new SampleImageBuilder(5);
        var subject = builder.Image(SampleFormat.Oci, Sizes).Root;
        var artifact = builder.Artifact(subject);
        var manifest = ManifestParser.Parse(artifact.Root.Manifest, artifact.Root.MediaType, artifact.Digest);

        Assert.Equal("application/spdx+json", manifest.ArtifactType);
        Assert.Equal((subject.Digest, subject.Size, subject.MediaType), (manifest.Subject!.Digest, manifest.Subject.Size, manifest.Subject.MediaType));
        Assert.Equal(MediaTypes.OciEmpty, manifest.Config!.MediaType);
        Assert.Equal("{}"u8.ToArray(), manifest.Config.Data!.Value.ToArray());
        Assert.Equal(artifact.Blobs.Select(b => b.Digest), manifest.Blobs.Select(b => b.Digest));
    }

    [Fact]
    public void Planning_a_sample_into_an_empty_repository_gives_its_push_order()
    {
        var builder = new SampleImageBuilder(9);
        var image = builder.MultiArch(SampleFormat.Oci, Sizes, withAttestation: true);
        var artifact = builder.Artifact(image.Root);
        var parsed = image.Manifests.Select(m => ManifestParser.Parse(m.Manifest, m.MediaType)).ToList();
        var source = SourceImage.Create(parsed[^1], parsed[..^1], [ManifestParser.Parse(artifact.Root.Manifest, null)], "latest");

        var plan = ReplicationPlanner.Plan(source, DestinationState.Empty);

        Assert.Equal(image.Blobs.Concat(artifact.Blobs).Select(b => b.Digest), plan.Blobs.Select(b => b.Digest));
        Assert.Equal(image.TotalBlobBytes + artifact.TotalBlobBytes, plan.BytesToCopy);
        Assert.Equal(image.Manifests.Concat(artifact.Manifests).Select(m => m.Digest).Append(image.Digest), plan.Manifests.Select(p => p.Digest));
        Assert.True(plan.Manifests[^1].TagOnly);
        Assert.Equal("latest", plan.Manifests[^1].Tag);
    }

    [Fact]
    public void Large_layer_is_streamed_not_held()
    {
        var size = (48L << 20) + 5;
        var blob = new SampleImageBuilder(11).Image(SampleFormat.Oci, [size]).Blobs[1];

        using var stream = blob.Content.OpenRead();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        long total = 0;
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
        }

        Assert.IsType<SeededContent>(blob.Content);
        Assert.Equal(size, total);
        Assert.Equal(blob.Digest, "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset()));
    }
}
