using System.Text.Json;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;

namespace Replicator.Core.Tests.Ecr;

/// <summary>Each operation's request on the wire: POST /, target header, content type, JSON member names, no nulls.</summary>
public sealed class EcrClientWireFormatTests
{
    private const string Digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

    private static readonly Dictionary<string, (Func<IEcrClient, Task> Call, string Body)> Operations = new()
    {
        ["BatchGetImage"] = (c => c.BatchGetImageAsync(new() { RegistryId = "123456789012", RepositoryName = "app", ImageIds = [new() { ImageDigest = Digest }, new() { ImageTag = "v1" }], AcceptedMediaTypes = ["application/vnd.oci.image.index.v1+json"] }),
            """{"registryId":"123456789012","repositoryName":"app","imageIds":[{"imageDigest":"sha256:1111111111111111111111111111111111111111111111111111111111111111"},{"imageTag":"v1"}],"acceptedMediaTypes":["application/vnd.oci.image.index.v1+json"]}"""),
        ["BatchCheckLayerAvailability"] = (c => c.BatchCheckLayerAvailabilityAsync(new() { RepositoryName = "app", LayerDigests = [Digest] }),
            """{"repositoryName":"app","layerDigests":["sha256:1111111111111111111111111111111111111111111111111111111111111111"]}"""),
        ["GetDownloadUrlForLayer"] = (c => c.GetDownloadUrlForLayerAsync(new() { RepositoryName = "app", LayerDigest = Digest }),
            """{"repositoryName":"app","layerDigest":"sha256:1111111111111111111111111111111111111111111111111111111111111111"}"""),
        ["InitiateLayerUpload"] = (c => c.InitiateLayerUploadAsync(new() { RepositoryName = "app" }), """{"repositoryName":"app"}"""),
        ["UploadLayerPart"] = (c => c.UploadLayerPartAsync(new() { RepositoryName = "app", UploadId = "u-1", PartFirstByte = 0, PartLastByte = 2, LayerPartBlob = new byte[] { 0xfb, 0xff, 0x00 } }),
            """{"repositoryName":"app","uploadId":"u-1","partFirstByte":0,"partLastByte":2,"layerPartBlob":"+/8A"}"""),
        ["CompleteLayerUpload"] = (c => c.CompleteLayerUploadAsync(new() { RepositoryName = "app", UploadId = "u-1", LayerDigests = [Digest] }),
            """{"repositoryName":"app","uploadId":"u-1","layerDigests":["sha256:1111111111111111111111111111111111111111111111111111111111111111"]}"""),
        ["PutImage"] = (c => c.PutImageAsync(new() { RepositoryName = "app", ImageManifest = "{\"schemaVersion\":2}", ImageManifestMediaType = "application/vnd.oci.image.manifest.v1+json", ImageTag = "v1", ImageDigest = Digest }),
            """{"repositoryName":"app","imageManifest":"{\"schemaVersion\":2}","imageManifestMediaType":"application/vnd.oci.image.manifest.v1+json","imageTag":"v1","imageDigest":"sha256:1111111111111111111111111111111111111111111111111111111111111111"}"""),
        ["CreateRepository"] = (c => c.CreateRepositoryAsync(new()
        {
            RepositoryName = "app",
            Tags = [new() { Key = "team", Value = "core" }],
            ImageTagMutability = ImageTagMutability.ImmutableWithExclusion,
            ImageTagMutabilityExclusionFilters = [new() { FilterType = ImageTagMutabilityExclusionFilterType.Wildcard, Filter = "latest*" }],
            ImageScanningConfiguration = new() { ScanOnPush = true },
            EncryptionConfiguration = new() { EncryptionType = EncryptionType.Kms, KmsKey = "alias/ecr" },
        }),
            """{"repositoryName":"app","tags":[{"Key":"team","Value":"core"}],"imageTagMutability":"IMMUTABLE_WITH_EXCLUSION","imageTagMutabilityExclusionFilters":[{"filterType":"WILDCARD","filter":"latest*"}],"imageScanningConfiguration":{"scanOnPush":true},"encryptionConfiguration":{"encryptionType":"KMS","kmsKey":"alias/ecr"}}"""),
        ["DescribeRepositories"] = (c => c.DescribeRepositoriesAsync(new() { RepositoryNames = ["app"], MaxResults = 10, NextToken = "t" }),
            """{"repositoryNames":["app"],"nextToken":"t","maxResults":10}"""),
        ["DescribeImages"] = (c => c.DescribeImagesAsync(new() { RepositoryName = "app", Filter = new() { TagStatus = TagStatus.Tagged } }),
            """{"repositoryName":"app","filter":{"tagStatus":"TAGGED"}}"""),
        ["ListImages"] = (c => c.ListImagesAsync(new() { RepositoryName = "app", MaxResults = 1000 }), """{"repositoryName":"app","maxResults":1000}"""),
        ["BatchDeleteImage"] = (c => c.BatchDeleteImageAsync(new() { RepositoryName = "app", ImageIds = [new() { ImageTag = "old" }] }),
            """{"repositoryName":"app","imageIds":[{"imageTag":"old"}]}"""),
        ["GetLifecyclePolicy"] = (c => c.GetLifecyclePolicyAsync(new() { RepositoryName = "app" }), """{"repositoryName":"app"}"""),
        ["PutLifecyclePolicy"] = (c => c.PutLifecyclePolicyAsync(new() { RepositoryName = "app", LifecyclePolicyText = "{}" }),
            """{"repositoryName":"app","lifecyclePolicyText":"{}"}"""),
        ["GetRepositoryPolicy"] = (c => c.GetRepositoryPolicyAsync(new() { RepositoryName = "app" }), """{"repositoryName":"app"}"""),
        ["SetRepositoryPolicy"] = (c => c.SetRepositoryPolicyAsync(new() { RepositoryName = "app", PolicyText = "{}", Force = true }),
            """{"repositoryName":"app","policyText":"{}","force":true}"""),
        ["ListTagsForResource"] = (c => c.ListTagsForResourceAsync(new() { ResourceArn = "arn:aws:ecr:eu-west-1:123456789012:repository/app" }),
            """{"resourceArn":"arn:aws:ecr:eu-west-1:123456789012:repository/app"}"""),
        ["UntagResource"] = (c => c.UntagResourceAsync(new() { ResourceArn = "arn:aws:ecr:eu-west-1:123456789012:repository/app", TagKeys = ["team"] }),
            """{"resourceArn":"arn:aws:ecr:eu-west-1:123456789012:repository/app","tagKeys":["team"]}"""),
        ["GetAuthorizationToken"] = (c => c.GetAuthorizationTokenAsync(new()), "{}"),
        ["ListImageReferrers"] = (c => c.ListImageReferrersAsync(new() { RepositoryName = "app", SubjectId = new() { ImageDigest = Digest }, Filter = new() { ArtifactTypes = ["application/vnd.dev.sigstore.bundle.v0.3+json"] }, MaxResults = 50 }),
            """{"repositoryName":"app","subjectId":{"imageDigest":"sha256:1111111111111111111111111111111111111111111111111111111111111111"},"filter":{"artifactTypes":["application/vnd.dev.sigstore.bundle.v0.3+json"]},"maxResults":50}"""),
        ["DescribeImageSigningStatus"] = (c => c.DescribeImageSigningStatusAsync(new() { RegistryId = "123456789012", RepositoryName = "app", ImageId = new() { ImageDigest = Digest } }),
            """{"registryId":"123456789012","repositoryName":"app","imageId":{"imageDigest":"sha256:1111111111111111111111111111111111111111111111111111111111111111"}}"""),
    };

    public static TheoryData<string> OperationNames() => new(Operations.Keys);

    [Fact]
    public void Every_operation_of_the_interface_is_covered()
    {
        var methods = typeof(IEcrClient).GetMethods().Where(m => m.Name.EndsWith("Async", StringComparison.Ordinal)).Select(m => m.Name[..^5]);
        Assert.Equal(methods.Order(), Operations.Keys.Order());
    }

    [Theory]
    [MemberData(nameof(OperationNames))]
    public async Task Request_has_target_content_type_and_wire_json(string operation)
    {
        var handler = new RecordingHandler().RespondOk("{}");
        var (call, body) = Operations[operation];
        await call(TestClients.Create(handler));

        var sent = handler.Requests.Single();
        Assert.Equal(HttpMethod.Post, sent.Method);
        Assert.Equal("/", sent.Uri.AbsolutePath);
        Assert.Equal("AmazonEC2ContainerRegistry_V20150921." + operation, sent.Header("X-Amz-Target"));
        Assert.Equal("application/x-amz-json-1.1", sent.Header("Content-Type"));
        Assert.Equal(sent.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), sent.Header("Content-Length"));
        Assert.Equal(body, sent.BodyText);
        Assert.Contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,", sent.Header("Authorization"), StringComparison.Ordinal);
        Assert.Equal(TestClients.SessionToken, sent.Header("X-Amz-Security-Token"));
        using var _ = JsonDocument.Parse(sent.Body);
    }
}
