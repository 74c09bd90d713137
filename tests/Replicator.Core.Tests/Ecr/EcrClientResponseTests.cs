using System.Net;
using Replicator.Core.Ecr.Model;

namespace Replicator.Core.Tests.Ecr;

public sealed class EcrClientResponseTests
{
    [Fact]
    public async Task BatchGetImage_keeps_the_manifest_string_exactly_and_reads_failures()
    {
        const string manifest = "{\n   \"schemaVersion\": 2,\n   \"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\"\n}";
        var handler = new RecordingHandler().RespondOk(
            """
            {"images":[{"registryId":"123456789012","repositoryName":"app","imageId":{"imageDigest":"sha256:aa","imageTag":"v1"},
              "imageManifest":"{\n   \"schemaVersion\": 2,\n   \"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\"\n}",
              "imageManifestMediaType":"application/vnd.docker.distribution.manifest.v2+json","somethingNew":{"x":1}}],
             "failures":[{"imageId":{"imageTag":"gone"},"failureCode":"ImageNotFound","failureReason":"Requested image not found"}]}
            """,
            requestId: "4e1f2c3d-aaaa-bbbb-cccc-000000000001");

        var response = await TestClients.Create(handler).BatchGetImageAsync(new BatchGetImageRequest { RepositoryName = "app", ImageIds = [new() { ImageTag = "v1" }] });

        var image = Assert.Single(response.Images!);
        Assert.Equal(manifest, image.ImageManifest);
        Assert.Equal("sha256:aa", image.ImageId!.ImageDigest);
        Assert.Equal("application/vnd.docker.distribution.manifest.v2+json", image.ImageManifestMediaType);
        var failure = Assert.Single(response.Failures!);
        Assert.Equal(ImageFailureCode.ImageNotFound, failure.FailureCode);
        Assert.Equal("gone", failure.ImageId!.ImageTag);
        Assert.Equal(HttpStatusCode.OK, response.HttpStatusCode);
        Assert.Equal("4e1f2c3d-aaaa-bbbb-cccc-000000000001", response.ResponseMetadata.RequestId);
    }

    [Fact]
    public async Task Epoch_second_timestamps_become_DateTimeOffsets_whole_fractional_and_exponent()
    {
        var handler = new RecordingHandler().RespondOk(
            """
            {"imageDetails":[{"imageDigest":"sha256:aa","imageTags":["v1"],"imageSizeInBytes":5368709120,"imagePushedAt":1.567447573E9,
              "lastRecordedPullTime":1700000000.123,"imageScanFindingsSummary":{"findingSeverityCounts":{"HIGH":3}},"imageStatus":"ACTIVE"}],
             "nextToken":"next"}
            """);

        var response = await TestClients.Create(handler).DescribeImagesAsync(new DescribeImagesRequest { RepositoryName = "app" });

        var detail = Assert.Single(response.ImageDetails!);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_567_447_573), detail.ImagePushedAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123), detail.LastRecordedPullTime);
        Assert.Equal(5_368_709_120L, detail.ImageSizeInBytes);
        Assert.Equal(3, detail.ImageScanFindingsSummary!.FindingSeverityCounts!["HIGH"]);
        Assert.Equal(ImageStatus.Active, detail.ImageStatus);
        Assert.Equal("next", response.NextToken);
        Assert.Null(detail.ImageManifestMediaType);
    }

    /// <summary>
    /// A timestamp sent as a string of epoch seconds is read as the number would be, rather than failing the whole
    /// DescribeImages answer (and with it the copy that needed it). One past what a DateTimeOffset holds, or not a
    /// number at all, is a permanent InvalidResponse, never an overflow thrown from deep in the reader.
    /// </summary>
    [Theory]
    [InlineData("\"1600000000.5\"", 1_600_000_000_500L)]
    [InlineData("1E+20", null)]
    [InlineData("\"yesterday\"", null)]
    public async Task A_timestamp_as_a_numeric_string_is_read_and_one_out_of_range_is_an_InvalidResponse(string pushedAt, long? milliseconds)
    {
        var handler = new RecordingHandler().RespondOk($$"""{"imageDetails":[{"imageDigest":"sha256:aa","imagePushedAt":{{pushedAt}}}]}""");
        var call = TestClients.Create(handler).DescribeImagesAsync(new DescribeImagesRequest { RepositoryName = "app" });

        if (milliseconds is { } expected)
        {
            Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(expected), Assert.Single((await call).ImageDetails!).ImagePushedAt);
        }
        else
        {
            var ex = await Assert.ThrowsAsync<Replicator.Core.Ecr.EcrException>(() => call);
            Assert.Equal("InvalidResponse", ex.ErrorCode);
            Assert.False(ex.IsTransient);
        }
    }

    [Fact]
    public async Task Repository_and_authorization_data_are_read()
    {
        var handler = new RecordingHandler()
            .RespondOk("""{"repository":{"repositoryArn":"arn:aws:ecr:eu-west-1:123456789012:repository/app","registryId":"123456789012","repositoryName":"app","repositoryUri":"123456789012.dkr.ecr.eu-west-1.amazonaws.com/app","createdAt":1600000000,"imageTagMutability":"IMMUTABLE","imageScanningConfiguration":{"scanOnPush":false},"encryptionConfiguration":{"encryptionType":"AES256"}}}""")
            .RespondOk("""{"authorizationData":[{"authorizationToken":"QVdTOnNlY3JldA==","expiresAt":1.7E9,"proxyEndpoint":"https://123456789012.dkr.ecr.eu-west-1.amazonaws.com"}]}""");
        var client = TestClients.Create(handler);

        var repository = (await client.CreateRepositoryAsync(new CreateRepositoryRequest { RepositoryName = "app" })).Repository!;
        Assert.Equal(ImageTagMutability.Immutable, repository.ImageTagMutability);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_600_000_000), repository.CreatedAt);
        Assert.Equal(EncryptionType.Aes256, repository.EncryptionConfiguration!.EncryptionType);
        Assert.False(repository.ImageScanningConfiguration!.ScanOnPush);

        var auth = Assert.Single((await client.GetAuthorizationTokenAsync(new GetAuthorizationTokenRequest())).AuthorizationData!);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), auth.ExpiresAt);
        Assert.Equal("QVdTOnNlY3JldA==", auth.AuthorizationToken);
    }

    [Fact]
    public async Task Upload_responses_carry_the_numbers_the_copy_needs()
    {
        var handler = new RecordingHandler()
            .RespondOk("""{"uploadId":"u-1","partSize":10485760}""")
            .RespondOk("""{"registryId":"123456789012","repositoryName":"app","uploadId":"u-1","lastByteReceived":10485759}""")
            .RespondOk("""{"referrers":[{"digest":"sha256:bb","mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/spdx+json","size":123,"annotations":{"k":"v"},"artifactStatus":"ACTIVE"}]}""");
        var client = TestClients.Create(handler);

        Assert.Equal(10_485_760L, (await client.InitiateLayerUploadAsync(new() { RepositoryName = "app" })).PartSize);
        Assert.Equal(10_485_759L, (await client.UploadLayerPartAsync(new() { RepositoryName = "app", UploadId = "u-1", PartFirstByte = 0, PartLastByte = 0, LayerPartBlob = new byte[1] })).LastByteReceived);
        var referrer = Assert.Single((await client.ListImageReferrersAsync(new() { RepositoryName = "app", SubjectId = new() { ImageDigest = "sha256:aa" } })).Referrers!);
        Assert.Equal(123L, referrer.Size);
        Assert.Equal("v", referrer.Annotations!["k"]);
        Assert.Equal(ArtifactStatus.Active, referrer.ArtifactStatus);
    }

    [Fact]
    public async Task An_empty_success_body_is_an_empty_response()
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, string.Empty);
        var response = await TestClients.Create(handler).PutLifecyclePolicyAsync(new() { RepositoryName = "app", LifecyclePolicyText = "{}" });
        Assert.Null(response.LifecyclePolicyText);
        Assert.Equal(HttpStatusCode.OK, response.HttpStatusCode);
    }

    [Fact]
    public async Task A_success_body_that_is_not_json_is_a_permanent_InvalidResponse()
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, "<html>captive portal</html>");
        var ex = await Assert.ThrowsAsync<Replicator.Core.Ecr.EcrException>(() => TestClients.Create(handler).ListImagesAsync(new() { RepositoryName = "app" }));
        Assert.Equal("InvalidResponse", ex.ErrorCode);
        Assert.False(ex.IsTransient);
    }
}
