using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using LocalEcr.Tests.Support;

namespace LocalEcr.Tests.AwsCli;

/// <summary>The AWS CLI (its own botocore model and signer) against LocalEcr: the wire is what AWS clients send.</summary>
public sealed class AwsCliRoundTripTests : IDisposable
{
    private const int MiB = 1024 * 1024;
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("localecr-cli-");

    [Fact]
    public async Task Push_pull_and_download_through_the_AWS_CLI()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        var aws = new AwsCliRunner(server, "us-west-2", _work.FullName);

        var created = await aws.RunJsonAsync("create-repository", "--repository-name", "cli/app", "--image-tag-mutability", "IMMUTABLE");
        Assert.Equal("arn:aws:ecr:us-west-2:000000000000:repository/cli/app", created["repository"]!["repositoryArn"]!.GetValue<string>());

        var layer = TestImages.RandomBytes((12 * MiB) + 5, 7);
        var layerDigest = await UploadAsync(aws, layer, 5 * MiB);
        var config = Encoding.UTF8.GetBytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
        var configDigest = await UploadAsync(aws, config, 5 * MiB);
        Assert.Equal(4, server.Calls.Count("us-west-2", "UploadLayerPart"));

        var manifest = TestImages.ImageManifest(configDigest, config.Length, (layerDigest, layer.Length, TestImages.DockerLayer));
        var manifestPath = Path.Combine(_work.FullName, "manifest.json");
        await File.WriteAllTextAsync(manifestPath, manifest, new UTF8Encoding(false));
        var put = await aws.RunJsonAsync("put-image", "--repository-name", "cli/app", "--image-tag", "v1", "--image-manifest", "file://" + manifestPath);
        var manifestDigest = TestImages.Digest(manifest);
        Assert.Equal(manifestDigest, put["image"]!["imageId"]!["imageDigest"]!.GetValue<string>());

        var got = await aws.RunJsonAsync("batch-get-image", "--repository-name", "cli/app", "--image-ids", "imageTag=v1");
        var image = Assert.Single(got["images"]!.AsArray())!;
        Assert.Equal(manifest, image["imageManifest"]!.GetValue<string>());
        Assert.Equal(TestImages.DockerManifest, image["imageManifestMediaType"]!.GetValue<string>());

        var url = (await aws.RunJsonAsync("get-download-url-for-layer", "--repository-name", "cli/app", "--layer-digest", layerDigest))["downloadUrl"]!.GetValue<string>();
        using (var http = new HttpClient())
        {
            await using var stream = await http.GetStreamAsync(new Uri(url));
            Assert.Equal(layerDigest, "sha256:" + Convert.ToHexStringLower(await SHA256.HashDataAsync(stream)));
        }

        var details = (await aws.RunJsonAsync("describe-images", "--repository-name", "cli/app"))["imageDetails"]!.AsArray();
        var detail = Assert.Single(details)!;
        Assert.Equal(manifestDigest, detail["imageDigest"]!.GetValue<string>());
        Assert.Equal("v1", detail["imageTags"]![0]!.GetValue<string>());
        Assert.Equal(layer.Length + config.Length, detail["imageSizeInBytes"]!.GetValue<long>());

        var again = await aws.RunAsync("put-image", "--repository-name", "cli/app", "--image-tag", "v1", "--image-manifest", "file://" + manifestPath);
        Assert.NotEqual(0, again.ExitCode);
        // The repository is IMMUTABLE: ECR answers the repeat with ImageTagAlreadyExists, not ImageAlreadyExists
        // (https://github.com/aws/containers-roadmap/issues/2179).
        Assert.Contains("ImageTagAlreadyExistsException", again.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_secret_is_refused_with_InvalidSignatureException()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        var aws = new AwsCliRunner(server, "eu-west-1", _work.FullName) { SecretKey = "not-the-secret" };
        var (exit, _, stderr) = await aws.RunAsync("describe-repositories");
        Assert.NotEqual(0, exit);
        Assert.Contains("InvalidSignatureException", stderr, StringComparison.Ordinal);
        Assert.Equal(0, server.Calls.Total);
    }

    [Fact]
    public async Task Errors_reach_the_CLI_with_their_ECR_codes()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        var aws = new AwsCliRunner(server, "eu-west-1", _work.FullName);
        var (exit, _, stderr) = await aws.RunAsync("describe-images", "--repository-name", "missing");
        Assert.NotEqual(0, exit);
        Assert.Contains("RepositoryNotFoundException", stderr, StringComparison.Ordinal);
        var token = await aws.RunJsonAsync("get-authorization-token");
        Assert.Equal("https://000000000000.dkr.ecr.eu-west-1.amazonaws.com", token["authorizationData"]![0]!["proxyEndpoint"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_CLI_paginator_follows_nextToken_and_session_tokens_are_accepted()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { SessionToken = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN" });
        using var client = new EcrTestClient(server, "ca-central-1") { SessionToken = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN" };
        await TestImages.CreateRepositoryAsync(client, "paged");
        for (var i = 0; i < 3; i++)
        {
            await TestImages.PushImageAsync(client, "paged", $"t{i}", i);
        }

        var aws = new AwsCliRunner(server, "ca-central-1", _work.FullName) { SessionToken = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN" };
        var listed = await aws.RunJsonAsync("list-images", "--repository-name", "paged", "--page-size", "1");
        Assert.Equal(["t0", "t1", "t2"], listed["imageIds"]!.AsArray().Select(i => i!["imageTag"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal(3, server.Calls.Count("ca-central-1", "ListImages"));
    }

    /// <summary>
    /// Managed signing through the AWS CLI: botocore's model reads LocalEcr's configuration and signing status, and the
    /// signature LocalEcr stores is listed as a referrer of the image.
    /// </summary>
    [Fact]
    public async Task Managed_signing_is_configured_and_its_status_read_through_the_AWS_CLI()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { SigningDuration = TimeSpan.FromHours(1) });
        using var client = new EcrTestClient(server, "eu-central-1");
        await TestImages.CreateRepositoryAsync(client, "signed/app");
        var aws = new AwsCliRunner(server, "eu-central-1", _work.FullName);
        const string Profile = "arn:aws:signer:eu-central-1:000000000000:/signing-profiles/release";

        var put = await aws.RunJsonAsync("put-signing-configuration", "--signing-configuration",
            $"{{\"rules\":[{{\"signingProfileArn\":\"{Profile}\",\"repositoryFilters\":[{{\"filter\":\"signed/*\",\"filterType\":\"WILDCARD_MATCH\"}}]}}]}}");
        var got = await aws.RunJsonAsync("get-signing-configuration");
        var (digest, _) = await TestImages.PushImageAsync(client, "signed/app", "v1", 9);
        var signing = await aws.RunJsonAsync("describe-image-signing-status", "--repository-name", "signed/app", "--image-id", "imageTag=v1");
        server.FinishSigning();
        var signed = await aws.RunJsonAsync("describe-image-signing-status", "--repository-name", "signed/app", "--image-id", "imageDigest=" + digest);
        var referrers = await aws.RunJsonAsync("list-image-referrers", "--repository-name", "signed/app", "--subject-id", "imageDigest=" + digest);

        Assert.Equal(Profile, put["signingConfiguration"]!["rules"]![0]!["signingProfileArn"]!.GetValue<string>());
        Assert.Equal("signed/*", got["signingConfiguration"]!["rules"]![0]!["repositoryFilters"]![0]!["filter"]!.GetValue<string>());
        Assert.Equal("IN_PROGRESS", signing["signingStatuses"]![0]!["status"]!.GetValue<string>());
        Assert.Equal(digest, signing["imageId"]!["imageDigest"]!.GetValue<string>());
        Assert.Equal("COMPLETE", signed["signingStatuses"]![0]!["status"]!.GetValue<string>());
        Assert.Equal("application/vnd.cncf.notary.signature", Assert.Single(referrers["referrers"]!.AsArray())!["artifactType"]!.GetValue<string>());
    }

    public void Dispose() => _work.Delete(recursive: true);

    private async Task<string> UploadAsync(AwsCliRunner aws, byte[] data, int partSize)
    {
        var uploadId = (await aws.RunJsonAsync("initiate-layer-upload", "--repository-name", "cli/app"))["uploadId"]!.GetValue<string>();
        for (var offset = 0; offset < data.Length; offset += partSize)
        {
            var length = Math.Min(partSize, data.Length - offset);
            var partPath = Path.Combine(_work.FullName, $"part-{offset}");
            await File.WriteAllBytesAsync(partPath, data.AsSpan(offset, length).ToArray());
            var part = await aws.RunJsonAsync("upload-layer-part", "--repository-name", "cli/app", "--upload-id", uploadId,
                "--part-first-byte", offset.ToString(CultureInfo.InvariantCulture),
                "--part-last-byte", (offset + length - 1).ToString(CultureInfo.InvariantCulture),
                "--layer-part-blob", "fileb://" + partPath);
            Assert.Equal(offset + length - 1, part["lastByteReceived"]!.GetValue<long>());
        }

        var digest = TestImages.Digest(data);
        var completed = await aws.RunJsonAsync("complete-layer-upload", "--repository-name", "cli/app", "--upload-id", uploadId, "--layer-digests", digest);
        Assert.Equal(digest, completed["layerDigest"]!.GetValue<string>());
        return digest;
    }
}
