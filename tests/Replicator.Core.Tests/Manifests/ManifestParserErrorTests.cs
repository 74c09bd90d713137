using Replicator.Core.Manifests;

namespace Replicator.Core.Tests.Manifests;

public class ManifestParserErrorTests
{
    private const string Hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private const string Layer = $$"""{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:{{Hex}}","size":10}""";
    private const string Config = $$"""{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:{{Hex}}","size":10}""";

    private static string Image(string config = Config, string layer = Layer, string extra = "") =>
        $$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{config}},"layers":[{{layer}}]{{extra}}}""";

    private static ManifestException Fails(string json, string? declared = null) =>
        Assert.Throws<ManifestException>(() => ManifestParser.Parse(json, declared));

    [Fact]
    public void The_valid_template_parses() => Assert.Equal(ManifestKind.Image, ManifestParser.Parse(Image(), null).Kind);

    [Fact]
    public void Oversize_input_is_refused_before_parsing()
    {
        // Not JSON at all: the size check must come first.
        var error = Fails(new string('x', ManifestParser.MaxManifestBytes + 1));

        Assert.Contains("over the limit of 4194304 bytes", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The limit is the largest manifest accepted (botocore ECR model, ImageManifest: max 4,194,304): one of exactly that
    /// many bytes parses, whether the count comes from its characters or from its UTF-8 encoding.
    /// </summary>
    [Theory]
    [InlineData('a')]
    [InlineData('\u00e9')]
    public void A_manifest_of_exactly_the_limit_parses(char pad)
    {
        var head = Image(extra: ",\"annotations\":{\"pad\":\"");
        const string Tail = "\"}";
        var room = ManifestParser.MaxManifestBytes - System.Text.Encoding.UTF8.GetByteCount(head[..^1]) - Tail.Length - 1;
        var padding = pad == 'a' ? new string(pad, room) : new string(pad, room / 2) + new string('a', room % 2);
        var json = head[..^1] + padding + Tail + "}";
        Assert.Equal(ManifestParser.MaxManifestBytes, System.Text.Encoding.UTF8.GetByteCount(json));

        var manifest = ManifestParser.Parse(json, null);

        Assert.Equal(ManifestParser.MaxManifestBytes, manifest.Size);
    }

    /// <summary>
    /// One byte over the limit is refused when only the UTF-8 count shows it: a manifest whose characters fit but
    /// whose one two-byte character takes it to 4,194,305 bytes (the model's ImageManifest is at most 4,194,304, and
    /// the OCI distribution spec's 4 MiB counts bytes). The character check cannot refuse it, so the byte count must.
    /// </summary>
    [Fact]
    public void A_manifest_one_UTF8_byte_over_the_limit_is_refused_though_its_characters_fit()
    {
        var head = Image(extra: ",\"annotations\":{\"pad\":\"");
        const string Tail = "\"}";
        var room = ManifestParser.MaxManifestBytes - System.Text.Encoding.UTF8.GetByteCount(head[..^1]) - Tail.Length - 1;
        var json = head[..^1] + "\u00e9" + new string('a', room - 1) + Tail + "}";
        Assert.Equal(ManifestParser.MaxManifestBytes + 1, System.Text.Encoding.UTF8.GetByteCount(json));
        Assert.True(json.Length <= ManifestParser.MaxManifestBytes);

        var error = Fails(json);

        Assert.Contains($"manifest is {ManifestParser.MaxManifestBytes + 1} bytes, over the limit of {ManifestParser.MaxManifestBytes} bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Oversize_in_utf8_bytes_is_refused_even_when_short_in_chars()
    {
        var error = Fails(new string('é', (ManifestParser.MaxManifestBytes / 2) + 1));

        Assert.Contains($"{ManifestParser.MaxManifestBytes + 2} bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_input_is_refused() => Assert.Contains("empty", Fails(string.Empty).Message, StringComparison.Ordinal);

    [Fact]
    public void Unpaired_surrogate_is_refused() => Assert.Contains("unpaired surrogate", Fails("{\"a\":\"\ud800\"}").Message, StringComparison.Ordinal);

    [Fact]
    public void Invalid_json_is_named() => Assert.StartsWith("manifest is not valid JSON", Fails("{\"schemaVersion\":2,").Message, StringComparison.Ordinal);

    [Fact]
    public void Json_deeper_than_the_cap_is_refused()
    {
        var deep = Image(extra: ",\"x\":" + new string('[', 40) + new string(']', 40));

        Assert.Contains("depth", Fails(deep).Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Duplicate_properties_are_refused()
    {
        var error = Fails(Image(extra: ",\"config\":" + Config));

        Assert.StartsWith("manifest is not valid JSON", error.Message, StringComparison.Ordinal);
        Assert.Contains("'config'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_object_root_is_refused() => Assert.Equal("manifest must be a JSON object", Fails("[1]").Message);

    [Fact]
    public void Unknown_manifest_media_type_is_named()
    {
        var error = Fails(Image().Replace(MediaTypes.OciManifest, "application/vnd.example.thing+json", StringComparison.Ordinal));

        Assert.Contains("'application/vnd.example.thing+json' is not supported", error.Message, StringComparison.Ordinal);
        // Each accepted type is listed once.
        var expected = error.Message[(error.Message.IndexOf("expected one of ", StringComparison.Ordinal) + "expected one of ".Length)..];
        Assert.Equal(MediaTypes.AcceptedManifestTypes, expected.Split(", "));
    }

    [Fact]
    public void Unknown_declared_type_without_body_type_is_named()
    {
        var json = Image().Replace($"\"mediaType\":\"{MediaTypes.OciManifest}\",", string.Empty, StringComparison.Ordinal);

        Assert.Contains("'text/plain' is not supported", Fails(json, "text/plain").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Structure_without_type_config_or_manifests_cannot_be_told()
    {
        Assert.Contains("cannot be told", Fails("""{"schemaVersion":2,"layers":[]}""").Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sha256:ABCDEF", "config.digest")]
    [InlineData("sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", "config.digest")]
    [InlineData("md5:0123456789abcdef0123456789abcdef", "config.digest")]
    [InlineData("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde", "config.digest")]
    public void Invalid_config_digest_is_named_with_its_path(string digest, string path)
    {
        var error = Fails(Image(config: Config.Replace($"sha256:{Hex}", digest, StringComparison.Ordinal)));

        Assert.Contains($"'{path}' is not a valid digest", error.Message, StringComparison.Ordinal);
        Assert.Contains(digest, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sha512_digests_are_valid()
    {
        var sha512 = "sha512:" + Hex + Hex;

        Assert.Equal(sha512, ManifestParser.Parse(Image(layer: Layer.Replace($"sha256:{Hex}", sha512, StringComparison.Ordinal)), null).Layers[0].Digest);
    }

    [Theory]
    [InlineData("\"size\":-1", "'layers[0].size' is negative (-1)")]
    [InlineData("\"size\":1.5", "'layers[0].size' must be an integer")]
    [InlineData("\"size\":\"10\"", "'layers[0].size' must be an integer")]
    [InlineData("\"size\":99999999999999", "'layers[0].size' is 99999999999999 bytes, over the limit")]
    [InlineData("\"sighs\":10", "'layers[0].size' is missing")]
    public void Bad_layer_sizes_are_named(string size, string expected)
    {
        var error = Fails(Image(layer: Layer.Replace("\"size\":10", size, StringComparison.Ordinal)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The size limits are the largest sizes accepted: a layer of exactly ECR's 52,000 MiB layer quota
    /// (docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html, "Maximum layer size") and an index child of
    /// exactly ECR's 4,194,304-byte manifest limit (botocore ECR model, ImageManifest) parse; one byte more is refused.
    /// </summary>
    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    public void Sizes_at_the_limits_parse_and_one_byte_more_is_refused(long over, bool refused)
    {
        var layerSize = (52_000L * 1024 * 1024) + over;
        var childSize = ManifestParser.MaxManifestBytes + over;
        var image = Image(layer: Layer.Replace("\"size\":10", $"\"size\":{layerSize}", StringComparison.Ordinal));
        var index = $$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:{{Hex}}","size":{{childSize}}}]}""";

        if (refused)
        {
            Assert.Contains($"'layers[0].size' is {layerSize} bytes, over the limit", Fails(image).Message, StringComparison.Ordinal);
            Assert.Contains($"'manifests[0].size' is {childSize} bytes, over the limit", Fails(index).Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(layerSize, ManifestParser.Parse(image, null).Layers[0].Size);
            Assert.Equal(childSize, ManifestParser.Parse(index, null).Manifests[0].Size);
        }
    }

    /// <summary>
    /// A signed schema 1 manifest's JWS protected header says how many leading bytes of the manifest its payload keeps
    /// (docker/libtrust jsonsign.go, formatLength and formatTail). A length outside the manifest, below zero or past its
    /// end, is a malformed manifest: refused as a <see cref="ManifestException"/> naming the field, never an exception
    /// from slicing the bytes.
    /// </summary>
    [Theory]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    [InlineData(100_000)]
    public void A_schema1_format_length_outside_the_manifest_is_named(int formatLength)
    {
        var header = $$"""{"formatLength":{{formatLength}},"formatTail":"{{System.Buffers.Text.Base64Url.EncodeToString("\n}"u8)}}"}""";
        var encoded = System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(header));
        var json = $$"""{"schemaVersion":1,"name":"app","tag":"v1","architecture":"amd64","fsLayers":[{"blobSum":"sha256:{{Hex}}"}],"history":[{"v1Compatibility":"{}"}],"signatures":[{"protected":"{{encoded}}","signature":"c2ln"}]}""";

        var error = Fails(json, "application/vnd.docker.distribution.manifest.v1+prettyjws");

        Assert.Contains($"'signatures[0].protected' has formatLength {formatLength}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_layer_media_type_is_named() =>
        Assert.Contains("'layers[0].mediaType' is missing", Fails(Image(layer: $$"""{"digest":"sha256:{{Hex}}","size":1}""")).Message, StringComparison.Ordinal);

    [Fact]
    public void Missing_config_is_named() =>
        Assert.Contains("'config' is missing", Fails($$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.DockerManifest}}","layers":[]}""").Message, StringComparison.Ordinal);

    [Fact]
    public void Wrong_schema_version_is_named() =>
        Assert.Contains("'schemaVersion' must be 2", Fails(Image().Replace("\"schemaVersion\":2", "\"schemaVersion\":3", StringComparison.Ordinal)).Message, StringComparison.Ordinal);

    /// <summary>
    /// schemaVersion must be the very one the manifest's type fixes, not merely no greater: 2 for an OCI image
    /// (image-spec manifest.md: "This REQUIRED property ... MUST be 2"), 1 for Docker schema 1. A missing one, or a
    /// lower one, is refused as ECR refuses such a manifest at PutImage; only a higher one was pinned before.
    /// </summary>
    [Theory]
    [InlineData("application/vnd.oci.image.manifest.v1+json", "\"schemaVersion\":2,", "", "must be 2 for application/vnd.oci.image.manifest.v1+json, found missing")]
    [InlineData("application/vnd.oci.image.manifest.v1+json", "\"schemaVersion\":2,", "\"schemaVersion\":1,", "must be 2 for application/vnd.oci.image.manifest.v1+json, found 1")]
    [InlineData(MediaTypes.DockerSchema1, "\"schemaVersion\":1,", "", "must be 1 for application/vnd.docker.distribution.manifest.v1+json, found missing")]
    [InlineData(MediaTypes.DockerSchema1, "\"schemaVersion\":1,", "\"schemaVersion\":0,", "must be 1 for application/vnd.docker.distribution.manifest.v1+json, found 0")]
    public void A_schemaVersion_missing_or_below_the_one_its_type_fixes_is_refused(string mediaType, string valid, string replacement, string expected)
    {
        var template = mediaType == MediaTypes.DockerSchema1 ? $$"""{"schemaVersion":1,"fsLayers":[{"blobSum":"sha256:{{Hex}}"}]}""" : Image();
        Assert.NotNull(ManifestParser.Parse(template, mediaType));

        var error = Fails(template.Replace(valid, replacement, StringComparison.Ordinal), mediaType);

        Assert.Contains($"'schemaVersion' {expected}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Image_with_manifests_is_refused() =>
        Assert.Contains("'manifests' is not allowed", Fails(Image(extra: ",\"manifests\":[]")).Message, StringComparison.Ordinal);

    [Fact]
    public void Index_with_layers_is_refused() =>
        Assert.Contains("has 'config' or 'layers'", Fails($$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.OciIndex}}","manifests":[],"layers":[]}""").Message, StringComparison.Ordinal);

    [Fact]
    public void Index_child_of_unknown_type_is_named()
    {
        var json = $$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.OciIndex}}","manifests":[{{Layer}}]}""";

        Assert.Contains("'manifests[0].mediaType' names 'application/vnd.oci.image.layer.v1.tar+gzip'", Fails(json).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Index_child_bigger_than_a_manifest_can_be_is_refused()
    {
        var child = $$"""{"mediaType":"{{MediaTypes.OciManifest}}","digest":"sha256:{{Hex}}","size":5000000}""";

        Assert.Contains("'manifests[0].size' is 5000000 bytes", Fails($$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.OciIndex}}","manifests":[{{child}}]}""").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Data_that_does_not_hash_to_the_digest_is_refused()
    {
        var config = $$"""{"mediaType":"{{MediaTypes.OciEmpty}}","digest":"sha256:{{Hex}}","size":2,"data":"e30="}""";

        Assert.Contains("'config.data' does not hash to", Fails(Image(config: config)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Data_of_the_wrong_size_is_refused()
    {
        var config = $$"""{"mediaType":"{{MediaTypes.OciEmpty}}","digest":"{{Digest.Compute("{}"u8)}}","size":3,"data":"e30="}""";

        Assert.Contains("'config.data' holds 2 bytes but the descriptor's size is 3", Fails(Image(config: config)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Data_that_is_not_base64_is_refused()
    {
        var config = $$"""{"mediaType":"{{MediaTypes.OciEmpty}}","digest":"{{Digest.Compute("{}"u8)}}","size":2,"data":"!!"}""";

        Assert.Contains("'config.data' is not valid base64", Fails(Image(config: config)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_string_annotation_is_named() =>
        Assert.Contains("'annotations.a' must be a string, found a number", Fails(Image(extra: ",\"annotations\":{\"a\":1}")).Message, StringComparison.Ordinal);

    [Fact]
    public void Platform_without_os_is_named()
    {
        var child = $$"""{"mediaType":"{{MediaTypes.OciManifest}}","digest":"sha256:{{Hex}}","size":5,"platform":{"architecture":"amd64"} }""";

        Assert.Contains("'manifests[0].platform.os' is missing", Fails($$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.OciIndex}}","manifests":[{{child}}]}""").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Schema1_bad_blob_sum_is_named() =>
        Assert.Contains("'fsLayers[0].blobSum' is not a valid digest", Fails("""{"schemaVersion":1,"fsLayers":[{"blobSum":"sha256:zz"}]}""").Message, StringComparison.Ordinal);

    [Fact]
    public void Schema1_without_fs_layers_is_named() =>
        Assert.Contains("'fsLayers' is missing", Fails("""{"schemaVersion":1}""", MediaTypes.DockerSchema1).Message, StringComparison.Ordinal);

    [Fact]
    public void Schema1_with_a_broken_protected_header_is_refused()
    {
        var json = """{"schemaVersion":1,"fsLayers":[],"signatures":[{"protected":"bm90IGpzb24"}]}""";

        Assert.Contains("'signatures[0].protected'", Fails(json).Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A member of the wrong JSON kind where the parser walks into an object or reads a string (a descriptor that is a
    /// string, an <c>fsLayers</c> entry or a signature that is not an object, a null among a descriptor's URLs) is a
    /// <see cref="ManifestException"/> naming the field. Without the check, the element's own accessors throw an
    /// InvalidOperationException, which the engine reports as an unexpected error instead of a permanent InvalidManifest.
    /// </summary>
    [Theory]
    [InlineData("layers", "manifest field 'layers[0]' must be a descriptor object")]
    [InlineData("urls", "manifest field 'layers[0].urls[0]' must be a string, found null")]
    [InlineData("fsLayers", "manifest field 'fsLayers[0]' must be an object")]
    [InlineData("signatures", "manifest field 'signatures[0]' must be an object")]
    public void A_member_of_the_wrong_json_kind_is_named_as_an_invalid_manifest(string where, string expected)
    {
        var json = where switch
        {
            "layers" => Image(layer: "\"sha256:" + Hex + "\""),
            "urls" => Image(layer: Layer.Replace("\"size\":10", "\"size\":10,\"urls\":[null]", StringComparison.Ordinal)),
            "fsLayers" => $$"""{"schemaVersion":1,"fsLayers":["sha256:{{Hex}}"]}""",
            _ => $$"""{"schemaVersion":1,"fsLayers":[{"blobSum":"sha256:{{Hex}}"}],"signatures":["sig"]}""",
        };

        Assert.Equal(expected, Fails(json).Message);
    }

    [Fact]
    public void Digest_other_than_the_requested_one_is_refused()
    {
        var other = "sha256:" + Hex;
        var error = Assert.Throws<ManifestException>(() => ManifestParser.Parse(Image(), null, other));

        Assert.Contains($"not the requested {other}", error.Message, StringComparison.Ordinal);
    }
}
