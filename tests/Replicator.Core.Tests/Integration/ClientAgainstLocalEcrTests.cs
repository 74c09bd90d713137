using System.Net;
using System.Security.Cryptography;
using System.Text;
using LocalEcr;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Manifests;
using Replicator.Core.Signing;
using Replicator.Samples;

namespace Replicator.Core.Tests.Integration;

/// <summary>
/// The ECR client against LocalEcr over real HTTP: every operation and the error paths the engine relies on.
/// LocalEcr shares no code with the client, so a bug must be made twice to pass here.
/// </summary>
public sealed class ClientAgainstLocalEcrTests : IAsyncLifetime
{
    private const string Region = "us-east-1";
    private readonly HttpClient _http = new();
    private LocalEcrServer _server = null!;
    private EcrClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await LocalEcrServer.StartAsync(new LocalEcrOptions { Port = 0 });
        _client = Client("test", "test");
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_layer_uploads_in_parts_and_downloads_through_its_url_with_the_same_sha256()
    {
        await CreateAsync("layers");
        var content = RandomNumberGenerator.GetBytes((5 * 1024 * 1024) + 4321);
        var digest = Digest.Compute(content);

        var upload = await _client.InitiateLayerUploadAsync(new() { RepositoryName = "layers" });
        Assert.Equal(10_485_760, upload.PartSize);
        var first = await _client.UploadLayerPartAsync(new() { RepositoryName = "layers", UploadId = upload.UploadId, PartFirstByte = 0, PartLastByte = (5 * 1024 * 1024) - 1, LayerPartBlob = content.AsMemory(0, 5 * 1024 * 1024) });
        Assert.Equal((5 * 1024 * 1024) - 1, first.LastByteReceived);
        await _client.UploadLayerPartAsync(new() { RepositoryName = "layers", UploadId = upload.UploadId, PartFirstByte = 5 * 1024 * 1024, PartLastByte = content.Length - 1, LayerPartBlob = content.AsMemory(5 * 1024 * 1024) });
        var completed = await _client.CompleteLayerUploadAsync(new() { RepositoryName = "layers", UploadId = upload.UploadId, LayerDigests = [digest] });
        Assert.Equal(digest, completed.LayerDigest);

        var available = await _client.BatchCheckLayerAvailabilityAsync(new() { RepositoryName = "layers", LayerDigests = [digest, Digest.Compute("absent"u8)] });
        Assert.Equal(LayerAvailability.Available, available.Layers!.Single(l => l.LayerDigest == digest).LayerAvailability);
        Assert.Equal(content.Length, available.Layers!.Single(l => l.LayerDigest == digest).LayerSize);
        Assert.Single(available.Failures!);

        // ECR serves only layers an image references (LayerInaccessibleException otherwise).
        var refused = await Assert.ThrowsAsync<EcrException>(() => _client.GetDownloadUrlForLayerAsync(new() { RepositoryName = "layers", LayerDigest = digest }));
        Assert.Equal("LayerInaccessibleException", refused.ErrorCode);
        var config = "{}"u8.ToArray();
        var configUpload = await _client.InitiateLayerUploadAsync(new() { RepositoryName = "layers" });
        await _client.UploadLayerPartAsync(new() { RepositoryName = "layers", UploadId = configUpload.UploadId, PartFirstByte = 0, PartLastByte = config.Length - 1, LayerPartBlob = config });
        await _client.CompleteLayerUploadAsync(new() { RepositoryName = "layers", UploadId = configUpload.UploadId, LayerDigests = [Digest.Compute(config)] });
        await _client.PutImageAsync(new()
        {
            RepositoryName = "layers",
            ImageManifest = $$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{Digest.Compute(config)}}","size":{{config.Length}}},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{{digest}}","size":{{content.Length}}}]}""",
        });

        var url = await _client.GetDownloadUrlForLayerAsync(new() { RepositoryName = "layers", LayerDigest = digest });
        var downloaded = await _http.GetByteArrayAsync(url.DownloadUrl);
        Assert.Equal(digest, Digest.Compute(downloaded));
    }

    /// <summary>
    /// Before any byte LocalEcr leaves the optional lastValidByteReceived out (the model's PartSize has min 0): the
    /// client reads no position, which PartUpload takes as "restart the layer".
    /// </summary>
    [Fact]
    public async Task A_first_part_not_at_byte_0_surfaces_as_InvalidLayerPart_without_a_last_valid_byte()
    {
        await CreateAsync("first");
        var upload = await _client.InitiateLayerUploadAsync(new() { RepositoryName = "first" });

        var refused = await Assert.ThrowsAsync<EcrException>(() => _client.UploadLayerPartAsync(new() { RepositoryName = "first", UploadId = upload.UploadId, PartFirstByte = 1, PartLastByte = 16, LayerPartBlob = new byte[16] }));

        Assert.Equal(EcrErrorCodes.InvalidLayerPartException, refused.ErrorCode);
        Assert.Null(refused.LastValidByteReceived);
        Assert.False(refused.IsTransient);
    }

    [Fact]
    public async Task Upload_rules_surface_as_typed_errors()
    {
        await CreateAsync("rules");
        var upload = await _client.InitiateLayerUploadAsync(new() { RepositoryName = "rules" });
        await _client.UploadLayerPartAsync(new() { RepositoryName = "rules", UploadId = upload.UploadId, PartFirstByte = 0, PartLastByte = 99, LayerPartBlob = new byte[100] });

        var gap = await Assert.ThrowsAsync<EcrException>(() => _client.UploadLayerPartAsync(new() { RepositoryName = "rules", UploadId = upload.UploadId, PartFirstByte = 200, PartLastByte = 299, LayerPartBlob = new byte[100] }));
        Assert.Equal(EcrErrorCodes.InvalidLayerPartException, gap.ErrorCode);
        Assert.Equal(99, gap.LastValidByteReceived);
        Assert.False(gap.IsTransient);
        Assert.Equal(HttpStatusCode.BadRequest, gap.StatusCode);
        Assert.False(string.IsNullOrEmpty(gap.RequestId));

        await _client.UploadLayerPartAsync(new() { RepositoryName = "rules", UploadId = upload.UploadId, PartFirstByte = 100, PartLastByte = 199, LayerPartBlob = new byte[100] });
        var tooSmall = await Assert.ThrowsAsync<EcrException>(() => _client.CompleteLayerUploadAsync(new() { RepositoryName = "rules", UploadId = upload.UploadId, LayerDigests = [Digest.Compute(new byte[200])] }));
        Assert.Equal(EcrErrorCodes.LayerPartTooSmallException, tooSmall.ErrorCode);

        var single = await _client.InitiateLayerUploadAsync(new() { RepositoryName = "rules" });
        await _client.UploadLayerPartAsync(new() { RepositoryName = "rules", UploadId = single.UploadId, PartFirstByte = 0, PartLastByte = 9, LayerPartBlob = new byte[10] });
        var wrongDigest = await Assert.ThrowsAsync<EcrException>(() => _client.CompleteLayerUploadAsync(new() { RepositoryName = "rules", UploadId = single.UploadId, LayerDigests = [Digest.Compute(new byte[11])] }));
        Assert.Equal(EcrErrorCodes.InvalidLayerException, wrongDigest.ErrorCode);

        var unknown = await Assert.ThrowsAsync<EcrException>(() => _client.UploadLayerPartAsync(new() { RepositoryName = "rules", UploadId = "00000000-0000-0000-0000-000000000000", PartFirstByte = 0, PartLastByte = 0, LayerPartBlob = new byte[1] }));
        Assert.Equal(EcrErrorCodes.UploadNotFoundException, unknown.ErrorCode);
    }

    [Fact]
    public async Task Put_image_checks_digest_references_and_tags_and_batch_get_returns_the_bytes_unchanged()
    {
        var image = new SampleImageBuilder(seed: 3).MultiArch(SampleFormat.Oci, [2048]);
        var index = image.Root;
        await CreateAsync("images", ImageTagMutability.Immutable);

        var missingChildren = await Assert.ThrowsAsync<EcrException>(() => Put("images", index, "v1"));
        Assert.Equal(EcrErrorCodes.ReferencedImagesNotFoundException, missingChildren.ErrorCode);
        var child = image.Manifests[0];
        var missingLayers = await Assert.ThrowsAsync<EcrException>(() => Put("images", child, null));
        Assert.Equal(EcrErrorCodes.LayersNotFoundException, missingLayers.ErrorCode);
        var wrongDigest = await Assert.ThrowsAsync<EcrException>(() => _client.PutImageAsync(new() { RepositoryName = "images", ImageManifest = child.Manifest, ImageManifestMediaType = child.MediaType, ImageDigest = Digest.Compute("other"u8) }));
        Assert.Equal(EcrErrorCodes.ImageDigestDoesNotMatchException, wrongDigest.ErrorCode);

        await SampleImagePusher.PushAsync(_client, "images", image, "v1");
        var again = await Assert.ThrowsAsync<EcrException>(() => Put("images", index, "v1"));

        // The repository is immutable: the tag's own manifest again is ImageTagAlreadyExists
        // (https://github.com/aws/containers-roadmap/issues/2179); without a tag it is ImageAlreadyExists.
        Assert.Equal(EcrErrorCodes.ImageTagAlreadyExistsException, again.ErrorCode);
        var untagged = await Assert.ThrowsAsync<EcrException>(() => Put("images", index, null));
        Assert.Equal(EcrErrorCodes.ImageAlreadyExistsException, untagged.ErrorCode);
        var immutable = await Assert.ThrowsAsync<EcrException>(() => Put("images", child, "v1"));
        Assert.Equal(EcrErrorCodes.ImageTagAlreadyExistsException, immutable.ErrorCode);

        var fetched = await _client.BatchGetImageAsync(new()
        {
            RepositoryName = "images",
            ImageIds = [new() { ImageTag = "v1" }, new() { ImageDigest = child.Digest }, new() { ImageTag = "absent" }],
            AcceptedMediaTypes = [.. MediaTypes.AcceptedManifestTypes],
        });
        Assert.Equal(index.Manifest, fetched.Images!.Single(i => i.ImageId!.ImageTag == "v1").ImageManifest);
        Assert.Equal(child.Manifest, fetched.Images!.Single(i => i.ImageId!.ImageDigest == child.Digest && i.ImageId.ImageTag is null).ImageManifest);
        Assert.Equal(ImageFailureCode.ImageNotFound, fetched.Failures!.Single().FailureCode);
    }

    [Fact]
    public async Task Listing_operations_page_through_every_item()
    {
        await CreateAsync("paged");
        var builder = new SampleImageBuilder(seed: 4);
        for (var i = 0; i < 5; i++)
        {
            await SampleImagePusher.PushAsync(_client, "paged", builder.Image(SampleFormat.Docker, [100 + i]), $"t{i}");
        }

        var details = new List<ImageDetail>();
        await foreach (var detail in _client.Paginators.DescribeImages(new() { RepositoryName = "paged", MaxResults = 2 }).ImageDetails)
        {
            details.Add(detail);
        }

        Assert.Equal(5, details.Select(d => d.ImageDigest).Distinct().Count());
        Assert.All(details, d => Assert.NotNull(d.ImagePushedAt));
        Assert.True(_server.Calls.Count(Region, "DescribeImages") >= 3);

        for (var i = 0; i < 3; i++)
        {
            await CreateAsync($"many/r{i}");
        }

        var names = new List<string>();
        await foreach (var repository in _client.Paginators.DescribeRepositories(new() { MaxResults = 1 }).Repositories)
        {
            names.Add(repository.RepositoryName!);
        }

        Assert.Superset(new HashSet<string> { "paged", "many/r0", "many/r1", "many/r2" }, names.ToHashSet());
    }

    [Fact]
    public async Task Repository_settings_policies_tags_and_deletion_round_trip()
    {
        var created = await _client.CreateRepositoryAsync(new()
        {
            RepositoryName = "settings",
            ImageTagMutability = ImageTagMutability.Immutable,
            ImageScanningConfiguration = new() { ScanOnPush = true },
            Tags = [new() { Key = "k", Value = "v" }],
        });
        Assert.Equal($"arn:aws:ecr:{Region}:000000000000:repository/settings", created.Repository!.RepositoryArn);
        Assert.NotNull(created.Repository.CreatedAt);
        var exists = await Assert.ThrowsAsync<EcrException>(() => CreateAsync("settings"));
        Assert.Equal(EcrErrorCodes.RepositoryAlreadyExistsException, exists.ErrorCode);

        var noLifecycle = await Assert.ThrowsAsync<EcrException>(() => _client.GetLifecyclePolicyAsync(new() { RepositoryName = "settings" }));
        Assert.Equal(EcrErrorCodes.LifecyclePolicyNotFoundException, noLifecycle.ErrorCode);
        var noPolicy = await Assert.ThrowsAsync<EcrException>(() => _client.GetRepositoryPolicyAsync(new() { RepositoryName = "settings" }));
        Assert.Equal(EcrErrorCodes.RepositoryPolicyNotFoundException, noPolicy.ErrorCode);

        const string lifecycle = """{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}""";
        await _client.PutLifecyclePolicyAsync(new() { RepositoryName = "settings", LifecyclePolicyText = lifecycle });
        Assert.Equal(lifecycle, (await _client.GetLifecyclePolicyAsync(new() { RepositoryName = "settings" })).LifecyclePolicyText);
        const string policy = """{"Version":"2012-10-17","Statement":[]}""";
        await _client.SetRepositoryPolicyAsync(new() { RepositoryName = "settings", PolicyText = policy });
        Assert.Equal(policy, (await _client.GetRepositoryPolicyAsync(new() { RepositoryName = "settings" })).PolicyText);
        var tags = await _client.ListTagsForResourceAsync(new() { ResourceArn = created.Repository.RepositoryArn });
        Assert.Equal("v", tags.Tags!.Single(t => t.Key == "k").Value);

        var image = new SampleImageBuilder(seed: 5).Image(SampleFormat.Oci, [10]);
        await SampleImagePusher.PushAsync(_client, "settings", image, "only");
        var deleted = await _client.BatchDeleteImageAsync(new() { RepositoryName = "settings", ImageIds = [new() { ImageDigest = image.Digest }, new() { ImageTag = "absent" }] });
        Assert.Single(deleted.ImageIds!);
        Assert.Equal(ImageFailureCode.ImageNotFound, deleted.Failures!.Single().FailureCode);
    }

    [Fact]
    public async Task Referrers_and_authorization_tokens_are_served()
    {
        var builder = new SampleImageBuilder(seed: 6);
        var subject = builder.Image(SampleFormat.Oci, [10]);
        var artifact = builder.Artifact(subject.Root);
        await SampleImagePusher.PushAsync(_client, "refs", subject, "v1");
        await SampleImagePusher.PushAsync(_client, "refs", artifact, null);

        var referrers = await _client.ListImageReferrersAsync(new() { RepositoryName = "refs", SubjectId = new() { ImageDigest = subject.Digest } });
        var token = await _client.GetAuthorizationTokenAsync(new());

        Assert.Equal(artifact.Digest, referrers.Referrers!.Single().Digest);
        var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(token.AuthorizationData!.Single().AuthorizationToken!));
        Assert.StartsWith("AWS:", decoded, StringComparison.Ordinal);
        Assert.True(token.AuthorizationData!.Single().ExpiresAt > DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task Missing_repositories_and_wrong_credentials_are_refused_as_ecr_refuses_them()
    {
        var missing = await Assert.ThrowsAsync<EcrException>(() => _client.DescribeImagesAsync(new() { RepositoryName = "nothing-here" }));
        Assert.Equal(EcrErrorCodes.RepositoryNotFoundException, missing.ErrorCode);

        var wrongSecret = await Assert.ThrowsAsync<EcrException>(() => Client("test", "not-the-secret").DescribeRepositoriesAsync(new()));
        Assert.Equal(EcrErrorCodes.InvalidSignatureException, wrongSecret.ErrorCode);
        Assert.Equal(HttpStatusCode.BadRequest, wrongSecret.StatusCode);
        Assert.DoesNotContain("not-the-secret", wrongSecret.ToString(), StringComparison.Ordinal);

        var unknownKey = await Assert.ThrowsAsync<EcrException>(() => Client("AKIDUNKNOWN", "test").DescribeRepositoriesAsync(new()));
        Assert.Equal(EcrErrorCodes.UnrecognizedClientException, unknownKey.ErrorCode);
        Assert.Equal(HttpStatusCode.BadRequest, unknownKey.StatusCode);
        Assert.False(unknownKey.IsTransient);
    }

    [Fact]
    public async Task Injected_throttling_and_server_errors_are_transient_with_their_codes()
    {
        _server.Faults.FailNext("DescribeRepositories", 1, "ThrottlingException", 400);
        _server.Faults.FailNext("ListImages", 1, null, 503);

        var throttled = await Assert.ThrowsAsync<EcrException>(() => _client.DescribeRepositoriesAsync(new()));
        await CreateAsync("faults");
        var unavailable = await Assert.ThrowsAsync<EcrException>(() => _client.ListImagesAsync(new() { RepositoryName = "faults" }));

        Assert.Equal(EcrErrorCodes.ThrottlingException, throttled.ErrorCode);
        Assert.True(throttled.IsTransient);
        Assert.True(throttled.IsThrottling);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
        Assert.True(unavailable.IsTransient);
        Assert.False(unavailable.IsThrottling);
    }

    private EcrClient Client(string accessKey, string secretKey) =>
        new(_http, new StaticCredentialsSource(new AwsCredentials(accessKey, secretKey)), new EcrClientConfig(Region) { ServiceUrl = _server.BaseAddress });

    private Task CreateAsync(string name, string? mutability = null) =>
        _client.CreateRepositoryAsync(new() { RepositoryName = name, ImageTagMutability = mutability });

    private Task<PutImageResponse> Put(string repository, SampleManifest manifest, string? tag) =>
        _client.PutImageAsync(new() { RepositoryName = repository, ImageManifest = manifest.Manifest, ImageManifestMediaType = manifest.MediaType, ImageDigest = manifest.Digest, ImageTag = tag });
}
