using System.Text.Json.Nodes;
using LocalEcr.Tests.Support;

namespace LocalEcr.Tests.Api;

public sealed class PutImageTests
{
    private static async Task<(LocalEcrServer, EcrTestClient)> StartAsync(string mutability = "MUTABLE")
    {
        var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app", mutability);
        return (server, client);
    }

    /// <summary>The filter the mutability tests give a *_WITH_EXCLUSION repository: dev-* freed, or release-* fixed.</summary>
    private static string? ExclusionFilter(string mutability) => mutability switch
    {
        "IMMUTABLE_WITH_EXCLUSION" => "dev-*",
        "MUTABLE_WITH_EXCLUSION" => "release-*",
        _ => null,
    };

    private static JsonObject Put(string manifest, string? tag = null, string? digest = null, string? mediaType = null)
    {
        var body = new JsonObject { ["repositoryName"] = "app", ["imageManifest"] = manifest };
        if (tag is not null)
        {
            body["imageTag"] = tag;
        }

        if (digest is not null)
        {
            body["imageDigest"] = digest;
        }

        if (mediaType is not null)
        {
            body["imageManifestMediaType"] = mediaType;
        }

        return body;
    }

    /// <summary>
    /// ECR's tag rule: the model's 1..300 characters, of letters, digits, '_', '.' and '-' (ECR's refusal quotes
    /// '[a-zA-Z0-9-_.]+', https://github.com/alexjurkiewicz/ecr-scan-image/issues/40); a leading '-' or '.' is allowed.
    /// </summary>
    [Theory]
    [InlineData("-rc", null)]
    [InlineData(".hidden", null)]
    [InlineData("v1.2_3-rc", null)]
    [InlineData("a b", "must satisfy regular expression '[a-zA-Z0-9-_.]+'")]
    [InlineData("a/b", "must satisfy regular expression '[a-zA-Z0-9-_.]+'")]
    [InlineData("v1:2", "must satisfy regular expression '[a-zA-Z0-9-_.]+'")]
    [InlineData("caf\u00e9", "must satisfy regular expression '[a-zA-Z0-9-_.]+'")]
    [InlineData("v1\n", "must satisfy regular expression '[a-zA-Z0-9-_.]+'")] // a $-anchored regex would accept it
    [InlineData("", "Member must have length between 1 and 300")]
    public async Task A_tag_is_1_to_300_letters_digits_underscores_dots_and_dashes(string tag, string? refusal)
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var (digest, manifest) = await TestImages.PushImageAsync(client, "app", null, 1);

        var put = await client.CallAsync("PutImage", Put(manifest, tag));

        if (refusal is null)
        {
            put.EnsureOk();
            Assert.Equal(digest, put.Json["image"]!["imageId"]!["imageDigest"]!.GetValue<string>());
        }
        else
        {
            put.AssertError("InvalidParameterException");
            Assert.Contains(refusal, put.Json["message"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_tag_of_300_characters_is_accepted_and_one_of_301_refused()
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var (_, manifest) = await TestImages.PushImageAsync(client, "app", null, 1);

        (await client.CallAsync("PutImage", Put(manifest, new string('t', 300)))).EnsureOk();
        var refused = await client.CallAsync("PutImage", Put(manifest, new string('u', 301)));

        refused.AssertError("InvalidParameterException");
        Assert.Contains("between 1 and 300", refused.Json["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    /// <summary>
    /// The model bounds imageManifest at 4,194,304 in length, which for a string counts characters; the OCI
    /// distribution spec's 4 MiB manifest limit (https://github.com/opencontainers/distribution-spec/blob/main/spec.md,
    /// "Pushing Manifests") counts bytes. A manifest of non-ASCII text can be within the first and over the second, and
    /// the replicator counts UTF-8 bytes (ManifestParser), so LocalEcr holds the byte count, the stricter of the two.
    /// </summary>
    [Theory]
    [InlineData('p', 4_194_304, true)]
    [InlineData('p', 4_194_305, false)]
    [InlineData('\u00e9', 4_194_304, true)] // 2 bytes each: exactly the limit in bytes, about half of it in characters
    [InlineData('\u00e9', 4_194_305, false)] // one byte over (an ASCII 'p' after the 2-byte characters); the model's character count cannot see it
    [InlineData('\u00e9', 4_194_306, false)] // within the limit in characters, over it in bytes
    public async Task A_manifest_is_held_to_4194304_bytes_of_UTF8_not_characters(char pad, int bytes, bool accepted)
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var (_, manifest) = await TestImages.PushImageAsync(client, "app", null, 1);
        var relaxed = new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var padded = JsonNode.Parse(manifest)!.AsObject();
        padded["annotations"] = new JsonObject { ["pad"] = string.Empty };
        var bare = System.Text.Encoding.UTF8.GetByteCount(padded.ToJsonString(relaxed));
        var padBytes = System.Text.Encoding.UTF8.GetByteCount(pad.ToString());
        padded["annotations"]!["pad"] = new string(pad, (bytes - bare) / padBytes) + new string('p', (bytes - bare) % padBytes);
        var text = padded.ToJsonString(relaxed);
        Assert.Equal(bytes, System.Text.Encoding.UTF8.GetByteCount(text)); // the sizes the case means
        Assert.True(padBytes == 1 || text.Length <= 4_194_304); // a non-ASCII case is within the limit in characters

        var put = await client.CallAsync("PutImage", Put(text, "big"));

        if (accepted)
        {
            put.EnsureOk();
        }
        else
        {
            put.AssertError("InvalidParameterException");
            Assert.Contains("'imageManifest'", put.Json["message"]!.GetValue<string>(), StringComparison.Ordinal);
            (await client.CallAsync("DescribeImages", new JsonObject { ["repositoryName"] = "app", ["imageIds"] = new JsonArray(new JsonObject { ["imageTag"] = "big" }) }))
                .AssertError("ImageNotFoundException");
        }
    }

    [Fact]
    public async Task PutImage_digests_the_exact_bytes_and_BatchGetImage_returns_them_unchanged()
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var (digest, manifest) = await TestImages.PushImageAsync(client, "app", "v1", 1);

        var byDigest = (await client.CallAsync("BatchGetImage", new JsonObject
        {
            ["repositoryName"] = "app", ["imageIds"] = new JsonArray(TestImages.ImageId(digest: digest), TestImages.ImageId(tag: "v1"), TestImages.ImageId(tag: "nope")),
        })).EnsureOk().Json;
        Assert.Equal(2, byDigest["images"]!.AsArray().Count);
        Assert.All(byDigest["images"]!.AsArray(), image =>
        {
            Assert.Equal(manifest, image!["imageManifest"]!.GetValue<string>());
            Assert.Equal(digest, image["imageId"]!["imageDigest"]!.GetValue<string>());
            Assert.Equal(TestImages.DockerManifest, image["imageManifestMediaType"]!.GetValue<string>());
        });
        Assert.Equal("ImageNotFound", byDigest["failures"]![0]!["failureCode"]!.GetValue<string>());
        Assert.Equal("nope", byDigest["failures"]![0]!["imageId"]!["imageTag"]!.GetValue<string>());
    }

    [Fact]
    public async Task BatchGetImage_returns_a_stored_type_not_accepted_unconverted_without_inventing_a_failure_code()
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var (digest, manifest) = await TestImages.PushImageAsync(client, "app", "v1", 2);
        var result = (await client.CallAsync("BatchGetImage", new JsonObject
        {
            ["repositoryName"] = "app",
            ["imageIds"] = new JsonArray(TestImages.ImageId(digest: digest)),
            ["acceptedMediaTypes"] = new JsonArray(TestImages.OciManifest),
        })).EnsureOk().Json;
        Assert.Empty(result["failures"]!.AsArray());
        Assert.Equal(manifest, result["images"]![0]!["imageManifest"]!.GetValue<string>());
        Assert.Equal(TestImages.DockerManifest, result["images"]![0]!["imageManifestMediaType"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_declared_digest_that_differs_is_ImageDigestDoesNotMatch()
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var (_, manifest) = await TestImages.PushImageAsync(client, "app", null, 3);
        (await client.CallAsync("PutImage", Put(manifest + " ", digest: TestImages.Digest(manifest)))).AssertError("ImageDigestDoesNotMatchException");
    }

    /// <summary>
    /// A declared digest that could name no manifest is a malformed request, as ECR answers a malformed imageDigest to
    /// DescribeImages (https://github.com/pulumi/pulumi-aws/issues/2466), not a digest that differs: InvalidParameter,
    /// and nothing is stored. A well-formed digest of other bytes stays ImageDigestDoesNotMatch (the test above).
    /// </summary>
    [Theory]
    [InlineData("")]
    [InlineData("nope")]
    [InlineData("sha256:")]
    [InlineData("sha256:xyz")]
    [InlineData("sha256 :abc")]
    public async Task A_malformed_declared_digest_is_InvalidParameter_not_ImageDigestDoesNotMatch(string declared)
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var (digest, manifest) = await TestImages.PushImageAsync(client, "app", null, 5);

        var put = await client.CallAsync("PutImage", Put(manifest, "v1", declared));

        put.AssertError("InvalidParameterException");
        Assert.Contains("Invalid parameter at 'imageDigest'", put.Json["message"]!.GetValue<string>(), StringComparison.Ordinal);
        var listed = (await client.CallAsync("ListImages", new JsonObject { ["repositoryName"] = "app" })).EnsureOk().Json;
        var only = Assert.Single(listed["imageIds"]!.AsArray())!;
        Assert.Equal(digest, only["imageDigest"]!.GetValue<string>());
        Assert.Null(only["imageTag"]);
    }

    [Fact]
    public async Task An_upper_case_spelling_of_the_digest_is_ImageDigestDoesNotMatch_and_does_not_find_the_image()
    {
        // The model's digest pattern admits A-F, but ECR computes lower-case hex; LocalEcr compares ordinally.
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var (digest, manifest) = await TestImages.PushImageAsync(client, "app", "v1", 4);
        var upper = "sha256:" + digest["sha256:".Length..].ToUpperInvariant();
        Assert.NotEqual(digest, upper);

        (await client.CallAsync("PutImage", Put(manifest, "v2", upper))).AssertError("ImageDigestDoesNotMatchException");
        var got = (await client.CallAsync("BatchGetImage", new JsonObject
        {
            ["repositoryName"] = "app",
            ["imageIds"] = new JsonArray(TestImages.ImageId(digest: upper, tag: "v1"), TestImages.ImageId(digest: upper)),
        })).EnsureOk().Json;

        Assert.Empty(got["images"]!.AsArray());
        Assert.Equal(["ImageTagDoesNotMatchDigest", "ImageNotFound"], got["failures"]!.AsArray().Select(f => f!["failureCode"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Missing_config_or_layers_are_LayersNotFound_but_foreign_layers_are_skipped()
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var config = System.Text.Encoding.UTF8.GetBytes("{}");
        var configDigest = await TestImages.UploadBlobAsync(client, "app", config);
        var missingLayer = "sha256:" + new string('c', 64);
        var manifest = TestImages.ImageManifest(configDigest, 2, (missingLayer, 10, TestImages.DockerLayer));
        var error = await client.CallAsync("PutImage", Put(manifest));
        error.AssertError("LayersNotFoundException");
        Assert.Contains(missingLayer, error.Body, StringComparison.Ordinal);

        // Only Docker's gzip foreign layer and the OCI spec's three non-distributable types may be absent; a media type
        // that merely mentions "nondistributable", an OCI compression the spec does not list, and containerd's
        // uncompressed foreign layer name a layer the repository must hold (the stricter reading: ECR documents none).
        foreach (var (type, tag) in new[]
        {
            ("application/vnd.example.layer.nondistributable.v1.tar", "lookalike"),
            ("application/vnd.oci.image.layer.nondistributable.v1.tar+lz4", "lz4"),
            ("application/vnd.docker.image.rootfs.foreign.diff.tar", "uncompressed"),
        })
        {
            var unlisted = TestImages.ImageManifest(configDigest, 2, (missingLayer, 10, type));
            (await client.CallAsync("PutImage", Put(unlisted, tag))).AssertError("LayersNotFoundException");
        }

        var foreign = TestImages.ImageManifest(configDigest, 2, (missingLayer, 10, "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"));
        (await client.CallAsync("PutImage", Put(foreign, "windows"))).EnsureOk();
        var nondistributable = TestImages.ImageManifest(configDigest, 2, (missingLayer, 10, "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"));
        (await client.CallAsync("PutImage", Put(nondistributable, "oci-windows"))).EnsureOk();
    }

    /// <summary>
    /// A distributable layer names a blob the repository must hold whatever its compression: the OCI image spec lists
    /// tar, tar+gzip and tar+zstd layers beside the non-distributable ones
    /// (https://github.com/opencontainers/image-spec/blob/main/media-types.md), and only the latter (with Docker's
    /// foreign layer) may be absent. A skip list that took "+zstd" alone for non-distributable would let a manifest in
    /// without its layer, where ECR answers LayersNotFoundException (botocore model: PutImage's errors).
    /// </summary>
    [Theory]
    [InlineData("application/vnd.oci.image.layer.v1.tar")]
    [InlineData("application/vnd.oci.image.layer.v1.tar+gzip")]
    [InlineData("application/vnd.oci.image.layer.v1.tar+zstd")]
    [InlineData("application/vnd.docker.image.rootfs.diff.tar.gzip")]
    public async Task An_absent_distributable_layer_is_LayersNotFound_whatever_its_compression(string layerType)
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var config = System.Text.Encoding.UTF8.GetBytes("{}");
        var configDigest = await TestImages.UploadBlobAsync(client, "app", config);
        var missingLayer = "sha256:" + new string('e', 64);
        var manifest = TestImages.ImageManifest(configDigest, config.Length, (missingLayer, 10, layerType));

        var refused = await client.CallAsync("PutImage", Put(manifest, "v1"));

        refused.AssertError("LayersNotFoundException");
        Assert.Contains(missingLayer, refused.Body, StringComparison.Ordinal);
        var listed = (await client.CallAsync("ListImages", new JsonObject { ["repositoryName"] = "app" })).EnsureOk().Json;
        Assert.Empty(listed["imageIds"]!.AsArray());
    }

    [Fact]
    public async Task Index_children_must_exist_first()
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var (child, _) = await TestImages.PushImageAsync(client, "app", null, 4);
        var absent = "sha256:" + new string('d', 64);
        (await client.CallAsync("PutImage", Put(TestImages.Index(child, absent), "multi"))).AssertError("ReferencedImagesNotFoundException");
        var put = (await client.CallAsync("PutImage", Put(TestImages.Index(child), "multi"))).EnsureOk().Json;
        Assert.Equal(TestImages.OciIndex, put["image"]!["imageManifestMediaType"]!.GetValue<string>());
    }

    [Fact]
    public async Task Pushing_the_same_manifest_and_tag_again_is_ImageAlreadyExists()
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var (_, manifest) = await TestImages.PushImageAsync(client, "app", "v1", 5);
        (await client.CallAsync("PutImage", Put(manifest, "v1"))).AssertError("ImageAlreadyExistsException");
        (await client.CallAsync("PutImage", Put(manifest))).AssertError("ImageAlreadyExistsException");
        (await client.CallAsync("PutImage", Put(manifest, "v1-alias"))).EnsureOk();
    }

    [Fact]
    public async Task Immutable_repositories_refuse_moving_a_tag()
    {
        var (server, client) = await StartAsync("IMMUTABLE");
        await using var _ = server;
        using var __ = client;
        await TestImages.PushImageAsync(client, "app", "v1", 6);
        var (_, other) = await TestImages.PushImageAsync(client, "app", null, 7);
        (await client.CallAsync("PutImage", Put(other, "v1"))).AssertError("ImageTagAlreadyExistsException");
    }

    [Theory]
    [InlineData("IMMUTABLE", "v1")]
    [InlineData("IMMUTABLE_WITH_EXCLUSION", "v1")]
    [InlineData("MUTABLE_WITH_EXCLUSION", "release-1")]
    public async Task An_immutable_tag_refuses_even_the_manifest_it_already_names(string mutability, string tag)
    {
        // https://github.com/aws/containers-roadmap/issues/2179: ECR answers ImageTagAlreadyExistsException
        // to a PutImage that repeats the tag's own manifest when the tag is immutable.
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        // IMMUTABLE_WITH_EXCLUSION excludes dev-*: v1 stays immutable. MUTABLE_WITH_EXCLUSION excludes release-*: those are immutable.
        await TestImages.CreateRepositoryAsync(client, "app", mutability, ExclusionFilter(mutability));
        var (_, manifest) = await TestImages.PushImageAsync(client, "app", tag, 21);
        (await client.CallAsync("PutImage", Put(manifest, tag))).AssertError("ImageTagAlreadyExistsException");
    }

    [Theory]
    [InlineData("MUTABLE", "v1")]
    [InlineData("IMMUTABLE_WITH_EXCLUSION", "dev-main")]
    [InlineData("MUTABLE_WITH_EXCLUSION", "v1")]
    public async Task A_mutable_tag_repeating_its_manifest_is_ImageAlreadyExists(string mutability, string tag)
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app", mutability, ExclusionFilter(mutability));
        var (_, manifest) = await TestImages.PushImageAsync(client, "app", tag, 22);
        (await client.CallAsync("PutImage", Put(manifest, tag))).AssertError("ImageAlreadyExistsException");
    }

    [Fact]
    public async Task Mutable_repositories_move_the_tag()
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var (first, _) = await TestImages.PushImageAsync(client, "app", "v1", 8);
        var (second, other) = await TestImages.PushImageAsync(client, "app", null, 9);
        (await client.CallAsync("PutImage", Put(other, "v1"))).EnsureOk();
        var got = (await client.CallAsync("BatchGetImage", new JsonObject { ["repositoryName"] = "app", ["imageIds"] = new JsonArray(TestImages.ImageId(tag: "v1")) })).EnsureOk().Json;
        Assert.Equal(second, got["images"]![0]!["imageId"]!["imageDigest"]!.GetValue<string>());
        var old = (await client.CallAsync("DescribeImages", new JsonObject { ["repositoryName"] = "app", ["imageIds"] = new JsonArray(TestImages.ImageId(digest: first)) })).EnsureOk().Json;
        Assert.Null(old["imageDetails"]![0]!["imageTags"]);
    }

    [Fact]
    public async Task Schema1_manifests_need_their_fsLayers()
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var layer = await TestImages.UploadBlobAsync(client, "app", TestImages.RandomBytes(50, 10));
        var absent = "sha256:" + new string('e', 64);
        static string Schema1(string blob) => $"{{\"schemaVersion\":1,\"name\":\"app\",\"tag\":\"old\",\"architecture\":\"amd64\",\"fsLayers\":[{{\"blobSum\":\"{blob}\"}}],\"history\":[{{\"v1Compatibility\":\"{{}}\"}}],\"signatures\":[]}}";
        const string type = "application/vnd.docker.distribution.manifest.v1+prettyjws";
        (await client.CallAsync("PutImage", Put(Schema1(absent), "old", mediaType: type))).AssertError("LayersNotFoundException");
        var put = (await client.CallAsync("PutImage", Put(Schema1(layer), "old", mediaType: type))).EnsureOk().Json;
        Assert.Equal(type, put["image"]!["imageManifestMediaType"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_manifest_without_a_mediaType_field_needs_imageManifestMediaType_and_is_not_guessed()
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var config = await TestImages.UploadBlobAsync(client, "app", "{}"u8.ToArray());
        var manifest = $"{{\"schemaVersion\":2,\"config\":{{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":2,\"digest\":\"{config}\"}},\"layers\":[]}}";

        var refused = await client.CallAsync("PutImage", Put(manifest, "v1"));

        refused.AssertError("InvalidParameterException");
        Assert.Contains("imageManifestMediaType", refused.Json["message"]!.GetValue<string>());
        var put = (await client.CallAsync("PutImage", Put(manifest, "v1", mediaType: TestImages.OciManifest))).EnsureOk().Json;
        Assert.Equal(TestImages.OciManifest, put["image"]!["imageManifestMediaType"]!.GetValue<string>());
    }

    [Fact]
    public async Task Referrers_are_listed_by_subject_with_artifact_type_filter()
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var (subject, _) = await TestImages.PushImageAsync(client, "app", "v1", 11);
        var empty = await TestImages.UploadBlobAsync(client, "app", "{}"u8.ToArray());
        string Referrer(string artifactType, string note) =>
            $"{{\"schemaVersion\":2,\"mediaType\":\"{TestImages.OciManifest}\",\"artifactType\":\"{artifactType}\",\"config\":{{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"size\":2,\"digest\":\"{empty}\"}},\"layers\":[],\"subject\":{{\"mediaType\":\"{TestImages.DockerManifest}\",\"size\":10,\"digest\":\"{subject}\"}},\"annotations\":{{\"note\":\"{note}\"}}}}";
        var sbom = Referrer("application/spdx+json", "sbom");
        var signature = Referrer("application/vnd.dev.cosign.artifact.sig.v1+json", "sig");
        (await client.CallAsync("PutImage", Put(sbom))).EnsureOk();
        (await client.CallAsync("PutImage", Put(signature))).EnsureOk();

        var all = (await client.CallAsync("ListImageReferrers", new JsonObject { ["repositoryName"] = "app", ["subjectId"] = new JsonObject { ["imageDigest"] = subject } })).EnsureOk().Json;
        Assert.Equal(2, all["referrers"]!.AsArray().Count);
        var first = all["referrers"]![0]!;
        Assert.Equal(TestImages.Digest(sbom), first["digest"]!.GetValue<string>());
        Assert.Equal(TestImages.OciManifest, first["mediaType"]!.GetValue<string>());
        Assert.Equal("application/spdx+json", first["artifactType"]!.GetValue<string>());
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(sbom), first["size"]!.GetValue<long>());
        Assert.Equal("sbom", first["annotations"]!["note"]!.GetValue<string>());

        var filtered = (await client.CallAsync("ListImageReferrers", new JsonObject
        {
            ["repositoryName"] = "app", ["subjectId"] = new JsonObject { ["imageDigest"] = subject },
            ["filter"] = new JsonObject { ["artifactTypes"] = new JsonArray("application/vnd.dev.cosign.artifact.sig.v1+json") },
        })).EnsureOk().Json;
        Assert.Equal(TestImages.Digest(signature), Assert.Single(filtered["referrers"]!.AsArray())!["digest"]!.GetValue<string>());

        var paged = (await client.CallAsync("ListImageReferrers", new JsonObject { ["repositoryName"] = "app", ["subjectId"] = new JsonObject { ["imageDigest"] = subject }, ["maxResults"] = 1 })).EnsureOk().Json;
        Assert.Single(paged["referrers"]!.AsArray());
        Assert.NotNull(paged["nextToken"]);
        (await client.CallAsync("ListImageReferrers", new JsonObject { ["repositoryName"] = "app", ["subjectId"] = new JsonObject { ["imageDigest"] = subject }, ["maxResults"] = 51 })).AssertError("InvalidParameterException");

        // A subject the repository does not hold: the model lists no ImageNotFoundException for the operation.
        var none = (await client.CallAsync("ListImageReferrers", new JsonObject { ["repositoryName"] = "app", ["subjectId"] = new JsonObject { ["imageDigest"] = "sha256:" + new string('0', 64) } })).EnsureOk().Json;
        Assert.Empty(none["referrers"]!.AsArray());

        // DescribeImages names each referrer's subject, as ECR's ImageDetail.subjectManifestDigest does ("the digest of
        // the subject manifest for images that are referrers"), and nothing for an image that refers to none.
        var details = (await client.CallAsync("DescribeImages", new JsonObject { ["repositoryName"] = "app" })).EnsureOk().Json["imageDetails"]!.AsArray();
        string? SubjectOf(string digest) => details.Single(d => d!["imageDigest"]!.GetValue<string>() == digest)!["subjectManifestDigest"]?.GetValue<string>();
        Assert.Equal(subject, SubjectOf(TestImages.Digest(sbom)));
        Assert.Equal(subject, SubjectOf(TestImages.Digest(signature)));
        Assert.Null(SubjectOf(subject));
    }

    private static async Task<(LocalEcrServer, EcrTestClient, string Subject, string SubjectManifest, string Empty)> StartWithSubjectAsync()
    {
        var (server, client) = await StartAsync();
        var (subject, subjectManifest) = await TestImages.PushImageAsync(client, "app", "v1", 11);
        var empty = await TestImages.UploadBlobAsync(client, "app", "{}"u8.ToArray());
        return (server, client, subject, subjectManifest, empty);
    }

    private static string Referrer(string empty, string subjectJson, string artifactType = "application/spdx+json") =>
        $"{{\"schemaVersion\":2,\"mediaType\":\"{TestImages.OciManifest}\",\"artifactType\":\"{artifactType}\",\"config\":{{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"size\":2,\"digest\":\"{empty}\"}},\"layers\":[],\"subject\":{subjectJson}}}";

    private static string SubjectDescriptor(string subject, string subjectManifest) =>
        $"{{\"mediaType\":\"{TestImages.DockerManifest}\",\"size\":{System.Text.Encoding.UTF8.GetByteCount(subjectManifest)},\"digest\":\"{subject}\"}}";

    /// <summary>
    /// A referrer's subject is a descriptor like config, layers and manifests, so its digest must satisfy the model's
    /// LayerDigest pattern; a subject that is no descriptor object at all is refused, not ignored.
    /// </summary>
    [Theory]
    [InlineData("""{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":10,"digest":"not-a-digest"}""")]
    [InlineData("""{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":10}""")]
    [InlineData("""{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":10,"digest":7}""")]
    [InlineData("\"sha256:0000000000000000000000000000000000000000000000000000000000000000\"")]
    [InlineData("[]")]
    [InlineData("null")]
    public async Task A_referrer_whose_subject_is_not_a_descriptor_with_a_valid_digest_is_InvalidParameter_and_not_kept(string subjectJson)
    {
        var (server, client, subject, subjectManifest, empty) = await StartWithSubjectAsync();
        await using var _ = server;
        using var __ = client;

        var refused = await client.CallAsync("PutImage", Put(Referrer(empty, subjectJson), "sbom"));

        refused.AssertError("InvalidParameterException");
        Assert.Contains("subject", refused.Json["message"]!.GetValue<string>(), StringComparison.Ordinal);
        (await client.CallAsync("DescribeImages", new JsonObject { ["repositoryName"] = "app", ["imageIds"] = new JsonArray(TestImages.ImageId(tag: "sbom")) }))
            .AssertError("ImageNotFoundException");
        (await client.CallAsync("PutImage", Put(Referrer(empty, SubjectDescriptor(subject, subjectManifest)), "sbom"))).EnsureOk();
    }

    /// <summary>
    /// subjectId.imageDigest is the model's ImageDigest, which carries no pattern, but ECR holds every imageDigest it is
    /// sent to the digest pattern, as DescribeImages does (https://github.com/pulumi/pulumi-aws/issues/2466: "Invalid
    /// parameter at 'imageDigest' failed to satisfy constraint: 'must satisfy regular expression
    /// '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+''"): a malformed subject is a bad request, not a subject without referrers.
    /// </summary>
    [Theory]
    [InlineData("")]
    [InlineData("sha256")]
    [InlineData("sha256:not-hex")]
    [InlineData("sha256:abc\n")]
    public async Task ListImageReferrers_refuses_a_malformed_subject_digest_as_InvalidParameter(string digest)
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;

        var refused = await client.CallAsync("ListImageReferrers", new JsonObject { ["repositoryName"] = "app", ["subjectId"] = new JsonObject { ["imageDigest"] = digest } });

        refused.AssertError("InvalidParameterException");
        Assert.Contains("subjectId.imageDigest", refused.Json["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    /// <summary>
    /// The model on ListImageReferrers' maxResults: "If this parameter is not used, then ListImageReferrers returns up
    /// to 20 results and a nextToken value, if applicable." (botocore data/ecr/2015-09-21/service-2.json)
    /// </summary>
    [Fact]
    public async Task Without_maxResults_ListImageReferrers_returns_20_referrers_and_a_nextToken_to_the_21st()
    {
        var (server, client, subject, subjectManifest, empty) = await StartWithSubjectAsync();
        await using var _ = server;
        using var __ = client;
        var descriptor = SubjectDescriptor(subject, subjectManifest);
        var pushed = new List<string>();
        for (var i = 0; i < 21; i++)
        {
            var referrer = JsonNode.Parse(Referrer(empty, descriptor))!.AsObject();
            referrer["annotations"] = new JsonObject { ["n"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            var text = referrer.ToJsonString();
            (await client.CallAsync("PutImage", Put(text))).EnsureOk();
            pushed.Add(TestImages.Digest(text));
        }

        JsonObject List(string? token)
        {
            var body = new JsonObject { ["repositoryName"] = "app", ["subjectId"] = new JsonObject { ["imageDigest"] = subject } };
            if (token is not null)
            {
                body["nextToken"] = token;
            }

            return body;
        }

        var first = (await client.CallAsync("ListImageReferrers", List(null))).EnsureOk().Json;
        Assert.Equal(20, first["referrers"]!.AsArray().Count);
        var second = (await client.CallAsync("ListImageReferrers", List(first["nextToken"]!.GetValue<string>()))).EnsureOk().Json;
        Assert.Null(second["nextToken"]);
        Assert.Equal(pushed, first["referrers"]!.AsArray().Concat(second["referrers"]!.AsArray()).Select(r => r!["digest"]!.GetValue<string>()));
    }

    /// <summary>The model's ArtifactType (ImageReferrer.artifactType) is 1..255 characters, in an image manifest and in an index.</summary>
    [Theory]
    [InlineData(false, 0)]
    [InlineData(false, 256)]
    [InlineData(true, 0)]
    [InlineData(true, 256)]
    public async Task An_artifactType_of_no_character_or_more_than_255_is_InvalidParameter_and_one_of_255_is_kept(bool index, int length)
    {
        var (server, client, subject, subjectManifest, empty) = await StartWithSubjectAsync();
        await using var _ = server;
        using var __ = client;
        string Manifest(string artifactType) => index
            ? $"{{\"schemaVersion\":2,\"mediaType\":\"{TestImages.OciIndex}\",\"artifactType\":\"{artifactType}\",\"manifests\":[{SubjectDescriptor(subject, subjectManifest)}],\"subject\":{SubjectDescriptor(subject, subjectManifest)}}}"
            : Referrer(empty, SubjectDescriptor(subject, subjectManifest), artifactType);
        string TypeOf(int count) => count == 0 ? string.Empty : "application/" + new string('x', count - "application/".Length);

        var refused = await client.CallAsync("PutImage", Put(Manifest(TypeOf(length)), "artifact"));

        refused.AssertError("InvalidParameterException");
        Assert.Contains("artifactType", refused.Json["message"]!.GetValue<string>(), StringComparison.Ordinal);
        (await client.CallAsync("DescribeImages", new JsonObject { ["repositoryName"] = "app", ["imageIds"] = new JsonArray(TestImages.ImageId(tag: "artifact")) }))
            .AssertError("ImageNotFoundException");
        var longest = TypeOf(255);
        (await client.CallAsync("PutImage", Put(Manifest(longest), "artifact"))).EnsureOk();
        var listed = (await client.CallAsync("ListImageReferrers", new JsonObject { ["repositoryName"] = "app", ["subjectId"] = new JsonObject { ["imageDigest"] = subject } })).EnsureOk().Json;
        Assert.Equal(longest, Assert.Single(listed["referrers"]!.AsArray())!["artifactType"]!.GetValue<string>());
    }

    [Fact]
    public async Task PutImage_in_a_missing_repository_is_RepositoryNotFound()
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var body = Put(TestImages.Index());
        body["repositoryName"] = "missing";
        (await client.CallAsync("PutImage", body)).AssertError("RepositoryNotFoundException");
    }
}
