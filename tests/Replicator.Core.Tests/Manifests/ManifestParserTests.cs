using System.Text;
using Replicator.Core.Manifests;

namespace Replicator.Core.Tests.Manifests;

public class ManifestParserTests
{
    [Theory]
    [InlineData("docker-v2-amd64.json", ManifestKind.Image, MediaTypes.DockerManifest)]
    [InlineData("oci-manifest.json", ManifestKind.Image, MediaTypes.OciManifest)]
    [InlineData("manifest-list.json", ManifestKind.Index, MediaTypes.DockerManifestList)]
    [InlineData("oci-index-nested.json", ManifestKind.Index, MediaTypes.OciIndex)]
    [InlineData("buildx-index.json", ManifestKind.Index, MediaTypes.OciIndex)]
    [InlineData("oci-artifact.json", ManifestKind.Image, MediaTypes.OciManifest)]
    [InlineData("schema1-signed.json", ManifestKind.Schema1, MediaTypes.DockerSchema1Signed)]
    public void Every_fixture_parses_with_kind_type_exact_raw_and_digest(string name, ManifestKind kind, string mediaType)
    {
        var raw = Fixture.Read(name);
        var manifest = ManifestParser.Parse(raw, declaredMediaType: null);

        Assert.Equal(kind, manifest.Kind);
        Assert.Equal(mediaType, manifest.MediaType);
        Assert.Same(raw, manifest.Raw);
        Assert.Equal(Fixture.DigestOf(name), manifest.Digest);
        Assert.Equal(Encoding.UTF8.GetByteCount(raw), manifest.Size);
    }

    [Fact]
    public void Digest_is_over_the_exact_bytes_so_whitespace_changes_it()
    {
        var raw = Fixture.Read("oci-manifest.json");
        var compact = ManifestParser.Parse(raw.Replace("\n", string.Empty, StringComparison.Ordinal).Replace("  ", string.Empty, StringComparison.Ordinal), null);
        var original = ManifestParser.Parse(raw, null);

        Assert.Equal(original.Config, compact.Config);
        Assert.NotEqual(original.Digest, compact.Digest);
    }

    [Fact]
    public void Docker_v2_reads_config_and_layers_in_order()
    {
        var manifest = Fixture.Parse("docker-v2-amd64.json");

        Assert.Equal(MediaTypes.DockerConfig, manifest.Config!.MediaType);
        Assert.Equal(7023, manifest.Config.Size);
        Assert.Equal([29124181L, 32654L, 73109L], manifest.Layers.Select(l => l.Size));
        Assert.All(manifest.Layers, l => Assert.Equal(MediaTypes.DockerLayer, l.MediaType));
        Assert.Equal(4, manifest.Blobs.Count);
        Assert.Equal(manifest.Config.Digest, manifest.Blobs[0].Digest);
        Assert.Empty(manifest.Manifests);
        Assert.Null(manifest.Subject);
    }

    [Fact]
    public void Oci_manifest_keeps_annotations_and_unknown_free_layer_types()
    {
        var manifest = Fixture.Parse("oci-manifest.json");

        Assert.Equal("2026-11-01T10:00:00Z", manifest.Annotations["org.opencontainers.image.created"]);
        Assert.Equal([MediaTypes.OciLayerGzip, MediaTypes.OciLayerZstd], manifest.Layers.Select(l => l.MediaType));
    }

    [Fact]
    public void Oci_manifest_without_media_type_is_recognised_from_its_structure()
    {
        var manifest = Fixture.Parse("oci-manifest-no-mediatype.json");

        Assert.Equal(MediaTypes.OciManifest, manifest.MediaType);
        Assert.Equal(ManifestKind.Image, manifest.Kind);
    }

    [Fact]
    public void Declared_type_fills_in_when_the_body_has_none()
    {
        var manifest = Fixture.Parse("oci-manifest-no-mediatype.json", MediaTypes.DockerManifest);

        Assert.Equal(MediaTypes.DockerManifest, manifest.MediaType);
    }

    [Fact]
    public void Media_type_in_the_body_wins_over_a_different_declared_one()
    {
        var manifest = Fixture.Parse("oci-manifest.json", MediaTypes.DockerManifest);

        Assert.Equal(MediaTypes.OciManifest, manifest.MediaType);
    }

    [Fact]
    public void Declared_type_parameters_are_ignored()
    {
        var manifest = Fixture.Parse("oci-manifest-no-mediatype.json", MediaTypes.OciManifest + "; charset=utf-8");

        Assert.Equal(MediaTypes.OciManifest, manifest.MediaType);
    }

    [Fact]
    public void Manifest_list_children_carry_digest_size_and_platform()
    {
        var list = Fixture.Parse("manifest-list.json");

        Assert.Equal(2, list.Manifests.Count);
        Assert.Equal(Fixture.DigestOf("docker-v2-amd64.json"), list.Manifests[0].Digest);
        Assert.Equal(Fixture.Read("docker-v2-amd64.json").Length, list.Manifests[0].Size);
        Assert.Equal(new Platform("arm64", "linux", "v8"), list.Manifests[1].Platform);
        Assert.Equal("linux/arm64/v8", list.Manifests[1].Platform!.ToString());
        Assert.Null(list.Config);
        Assert.Empty(list.Blobs);
    }

    [Fact]
    public void Nested_index_names_the_inner_index_as_a_child()
    {
        var outer = Fixture.Parse("oci-index-nested.json");

        Assert.Equal(MediaTypes.OciIndex, outer.Manifests[1].MediaType);
        Assert.Equal(Fixture.DigestOf("oci-index-inner.json"), outer.Manifests[1].Digest);
        Assert.Null(outer.Manifests[1].Platform);
    }

    [Fact]
    public void Buildx_attestation_entry_keeps_its_reference_annotations()
    {
        var index = Fixture.Parse("buildx-index.json");
        var attestation = index.Manifests[1];

        Assert.Equal("attestation-manifest", attestation.Annotations["vnd.docker.reference.type"]);
        Assert.Equal(index.Manifests[0].Digest, attestation.Annotations["vnd.docker.reference.digest"]);
        Assert.Equal("unknown/unknown", attestation.Platform!.ToString());
        Assert.NotEmpty(Fixture.Parse("buildx-attestation-manifest.json").Layers);
        Assert.All(Fixture.Parse("buildx-attestation-manifest.json").Layers, l => Assert.Equal("application/vnd.in-toto+json", l.MediaType));
    }

    [Fact]
    public void Artifact_has_artifact_type_subject_and_inline_empty_config()
    {
        var artifact = Fixture.Parse("oci-artifact.json");

        Assert.Equal("application/spdx+json", artifact.ArtifactType);
        Assert.Equal(Fixture.DigestOf("oci-manifest.json"), artifact.Subject!.Digest);
        Assert.Equal(MediaTypes.OciEmpty, artifact.Config!.MediaType);
        Assert.Equal("{}"u8.ToArray(), artifact.Config.Data!.Value.ToArray());
        Assert.Equal("application/spdx+json", artifact.Layers[0].MediaType);
        Assert.Equal("sbom.spdx.json", artifact.Layers[0].Annotations["org.opencontainers.image.title"]);
    }

    [Fact]
    public void Foreign_and_non_distributable_layers_are_kept_but_not_blobs()
    {
        var manifest = Fixture.Parse("docker-v2-foreign-layers.json");

        Assert.Equal(3, manifest.Layers.Count);
        Assert.True(manifest.Layers[0].IsNonDistributable);
        Assert.True(manifest.Layers[1].IsNonDistributable);
        Assert.StartsWith("https://mcr.microsoft.com/", manifest.Layers[0].Urls[0], StringComparison.Ordinal);
        Assert.Equal([manifest.Config!.Digest, manifest.Layers[2].Digest], manifest.Blobs.Select(b => b.Digest));
    }

    [Fact]
    public void Schema1_layers_are_blob_sums_deduplicated_in_blobs_with_unknown_size()
    {
        var manifest = Fixture.Parse("schema1-signed.json");

        Assert.Null(manifest.Config);
        Assert.Equal(4, manifest.Layers.Count);
        Assert.Equal(3, manifest.Blobs.Count);
        Assert.All(manifest.Blobs, b => Assert.Equal(Descriptor.UnknownSize, b.Size));
        Assert.Equal("sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4", manifest.Blobs[0].Digest);
    }

    [Fact]
    public void Signed_schema1_exposes_its_jws_payload_digest()
    {
        var manifest = Fixture.Parse("schema1-signed.json");

        Assert.Equal(Fixture.Read("schema1-signed.payload-digest"), manifest.Schema1PayloadDigest);
        Assert.NotEqual(manifest.Digest, manifest.Schema1PayloadDigest);
    }

    [Fact]
    public void Unsigned_schema1_is_the_json_type_without_payload_digest()
    {
        const string raw = """{"schemaVersion":1,"name":"a/b","tag":"t","fsLayers":[{"blobSum":"sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"}]}""";
        var manifest = ManifestParser.Parse(raw, null);

        Assert.Equal(MediaTypes.DockerSchema1, manifest.MediaType);
        Assert.Null(manifest.Schema1PayloadDigest);
        Assert.Equal(manifest.Digest, manifest.ReferenceDigest);
    }

    [Fact]
    public void Schema1_declared_as_plain_json_is_recognised()
    {
        var manifest = Fixture.Parse("schema1-signed.json", "application/json");

        Assert.Equal(MediaTypes.DockerSchema1Signed, manifest.MediaType);
        Assert.Equal(ManifestKind.Schema1, manifest.Kind);
    }

    [Fact]
    public void Expected_digest_is_accepted_when_it_matches()
    {
        var raw = Fixture.Read("manifest-list.json");

        Assert.Equal(Fixture.DigestOf("manifest-list.json"), ManifestParser.Parse(raw, null, Fixture.DigestOf("manifest-list.json")).Digest);
    }

    [Fact]
    public void Signed_schema1_is_accepted_by_its_payload_digest_and_identified_by_it()
    {
        var payloadDigest = Fixture.Read("schema1-signed.payload-digest");

        var manifest = ManifestParser.Parse(Fixture.Read("schema1-signed.json"), MediaTypes.DockerSchema1Signed, payloadDigest);

        Assert.Equal(payloadDigest, manifest.Schema1PayloadDigest);
        Assert.Equal(payloadDigest, manifest.ReferenceDigest);
    }

    [Fact]
    public void Signed_schema1_is_identified_by_the_digest_of_its_exact_bytes_when_fetched_by_it()
    {
        var digest = Fixture.DigestOf("schema1-signed.json");

        var manifest = ManifestParser.Parse(Fixture.Read("schema1-signed.json"), MediaTypes.DockerSchema1Signed, digest);

        Assert.Equal(digest, manifest.ReferenceDigest);
        Assert.NotEqual(manifest.Schema1PayloadDigest, manifest.ReferenceDigest);
    }

    [Fact]
    public void Signed_schema1_without_an_expected_digest_is_identified_by_its_exact_bytes()
    {
        var manifest = Fixture.Parse("schema1-signed.json");

        Assert.Equal(Fixture.DigestOf("schema1-signed.json"), manifest.ReferenceDigest);
        Assert.Equal(manifest.Digest, manifest.ReferenceDigest);
    }

    [Fact]
    public void Accepted_manifest_types_are_every_pushable_manifest_type()
    {
        Assert.Equal(6, MediaTypes.AcceptedManifestTypes.Count);
        Assert.Contains(MediaTypes.DockerSchema1, MediaTypes.AcceptedManifestTypes);
        Assert.All(MediaTypes.AcceptedManifestTypes, t => Assert.True(MediaTypes.IsManifest(t)));
        Assert.Contains(MediaTypes.DockerSchema1Signed, MediaTypes.AcceptedManifestTypes);
        Assert.Contains(MediaTypes.OciIndex, MediaTypes.AcceptedManifestTypes);
    }
}
