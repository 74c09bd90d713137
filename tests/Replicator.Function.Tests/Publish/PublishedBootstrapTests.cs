using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using LocalEcr;
using LocalLambdaHost;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Signing;
using Replicator.Function.Events;
using Replicator.Function.Runtime;
using Replicator.Function.Tests.Support;
using Replicator.Samples;

namespace Replicator.Function.Tests.Publish;

/// <summary>The deployable artifact: a Native AOT bootstrap, warning-free, runnable on Amazon Linux 2023 (glibc 2.34).</summary>
public sealed class PublishedBootstrapTests(PublishedBootstrap published) : IClassFixture<PublishedBootstrap>
{
    private static readonly Version AmazonLinux2023Glibc = new(2, 34);

    [Fact]
    public void Publish_succeeds_without_warnings_and_writes_bootstrap()
    {
        Assert.True(published.ExitCode == 0, published.PublishOutput);
        Assert.DoesNotMatch(new Regex(@"warning (IL|CS|CA|NU)\d+", RegexOptions.None, TimeSpan.FromSeconds(5)), published.PublishOutput);
        Assert.True(File.Exists(published.BootstrapPath), published.PublishOutput);
        Assert.False(File.Exists(Path.Combine(published.Directory, "bootstrap.dll")), "Native AOT writes a native executable, not an IL assembly");
    }

    [Fact]
    public void Bootstrap_needs_no_glibc_newer_than_amazon_linux_2023()
    {
        Assert.True(File.Exists(published.BootstrapPath), published.PublishOutput);
        var versions = ElfVersionNeeds.Read(published.BootstrapPath);
        var max = ElfVersionNeeds.MaxGlibc(versions);
        Assert.NotNull(max);
        Assert.True(max <= AmazonLinux2023Glibc, $"bootstrap needs GLIBC_{max}: {string.Join(", ", versions.Distinct())}");
    }

    [Fact]
    public void The_elf_reader_finds_glibc_versions_in_a_known_binary()
    {
        // The dotnet host itself links glibc: the reader must find versions there too, or the test above proves nothing.
        var host = Environment.ProcessPath!;
        Assert.NotNull(ElfVersionNeeds.MaxGlibc(ElfVersionNeeds.Read(host)));
    }

    [Fact]
    public async Task The_native_bootstrap_reports_a_configuration_error_to_the_runtime_api_and_exits_non_zero()
    {
        Assert.True(File.Exists(published.BootstrapPath), published.PublishOutput);
        await using var api = await LocalRuntimeApi.StartAsync();
        var start = new ProcessStartInfo(published.BootstrapPath) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment.Clear();
        start.Environment["AWS_LAMBDA_RUNTIME_API"] = api.Address;
        start.Environment["AWS_REGION"] = "us-east-1";
        start.Environment["DESTINATION_REGIONS"] = "us-west-2,nowhere";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();

        var init = await api.InitError.WaitAsync(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(RuntimeErrorTypes.ConfigInvalid, init.ErrorType);
        Assert.Contains("DESTINATION_REGIONS", init.Body, StringComparison.Ordinal);
        Assert.NotEqual(0, process.ExitCode);
        Assert.Contains("Configuration invalid: DESTINATION_REGIONS", await stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_native_bootstrap_replicates_a_pushed_multi_arch_image_from_its_sqs_events()
    {
        Assert.True(File.Exists(published.BootstrapPath), published.PublishOutput);
        await using var ecr = await LocalEcrServer.StartAsync(new LocalEcrOptions { Port = 0 });
        using var http = new HttpClient();
        var source = new EcrClient(http, new StaticCredentialsSource(new AwsCredentials("test", "test")), new EcrClientConfig("us-east-1") { ServiceUrl = ecr.BaseAddress });
        var image = new SampleImageBuilder(seed: 77).MultiArch(SampleFormat.Oci, [64 * 1024, 6 * 1024 * 1024], withAttestation: true);
        await SampleImagePusher.PushAsync(source, "e2e/app", image, "v2");

        // What ECR emits for that push: one event per untagged child, then the tagged index, in one FIFO group.
        var records = image.Manifests.Select((m, i) => Support.Events.Record(
            $"m{i}",
            Support.Events.Body(repository: "e2e/app", digest: m.Digest, tag: ReferenceEquals(m, image.Root) ? "v2" : null),
            group: "e2e/app")).ToArray();
        var payload = JsonSerializer.Serialize(Support.Events.Batch(records), EventJsonContext.Default.SQSEvent);

        var (result, stdout) = await InvokeAsync(payload, new Dictionary<string, string>
        {
            ["DESTINATION_REGIONS"] = "us-west-2,eu-central-1",
            ["AWS_ENDPOINT_URL_ECR"] = ecr.BaseAddress.ToString(),
            ["AWS_ACCESS_KEY_ID"] = "test",
            ["AWS_SECRET_ACCESS_KEY"] = "test",
        });

        Assert.True(result.IsSuccess, result.Body);
        Assert.Equal("""{"batchItemFailures":[]}""", result.Body);
        foreach (var region in new[] { "us-west-2", "eu-central-1" })
        {
            var destination = new EcrClient(http, new StaticCredentialsSource(new AwsCredentials("test", "test")), new EcrClientConfig(region) { ServiceUrl = ecr.BaseAddress });
            var tagged = await destination.DescribeImagesAsync(new DescribeImagesRequest { RepositoryName = "e2e/app", ImageIds = [new ImageIdentifier { ImageTag = "v2" }] });
            Assert.Equal(image.Digest, tagged.ImageDetails!.Single().ImageDigest);
            var all = await destination.DescribeImagesAsync(new DescribeImagesRequest { RepositoryName = "e2e/app" });
            Assert.Equal(image.Manifests.Select(m => m.Digest).Order(), all.ImageDetails!.Select(d => d.ImageDigest).Order());
        }

        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var replicated = lines.Where(l => l.StartsWith('{') && l.Contains("\"outcome\":\"Replicated\"", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(replicated);
        Assert.All(lines, l => Assert.DoesNotContain("_blobs/", l, StringComparison.Ordinal));
    }

    /// <summary>
    /// Deployed, the function's environment is its process's, which AWSSDK also reads for any flag a client leaves
    /// unset. With <c>AWS_USE_FIPS_ENDPOINT</c> and <c>AWS_USE_DUALSTACK_ENDPOINT</c> on beside an endpoint override
    /// (<c>AWS_ENDPOINT_URL</c>, here for ECR and STS alike), the override wins for STS as for ECR: the STS client
    /// left the flags to the SDK, whose endpoint rules refuse a custom endpoint with either, and every AssumeRole failed.
    /// An in-process test cannot show this (its environment is a dictionary the SDK never reads); this process can.
    /// </summary>
    [Fact]
    public async Task The_native_bootstrap_assumes_a_destination_role_through_an_endpoint_override_with_fips_and_dual_stack_on()
    {
        Assert.True(File.Exists(published.BootstrapPath), published.PublishOutput);
        const string destinationAccount = "222222222222";
        var destinationKeys = new AwsCredentials("AKIADESTINATION00001", "destination/secret/key");
        await using var ecr = await LocalEcrServer.StartAsync(new LocalEcrOptions
        {
            Port = 0,
            OtherAccounts = { new LocalEcrAccount(destinationAccount, destinationKeys.AccessKeyId, destinationKeys.SecretAccessKey) },
        });
        using var http = new HttpClient();
        var source = new EcrClient(http, new StaticCredentialsSource(new AwsCredentials("test", "test")), new EcrClientConfig("us-east-1") { ServiceUrl = ecr.BaseAddress });
        var image = new SampleImageBuilder(seed: 78).Image(SampleFormat.Oci, [64 * 1024]);
        await SampleImagePusher.PushAsync(source, "e2e/other-account", image, "v1");
        var payload = JsonSerializer.Serialize(
            Support.Events.Batch(Support.Events.Record("m0", Support.Events.Body(repository: "e2e/other-account", digest: image.Digest, tag: "v1"), group: "e2e/other-account")),
            EventJsonContext.Default.SQSEvent);

        var (result, _) = await InvokeAsync(payload, new Dictionary<string, string>
        {
            ["DESTINATION_REGIONS"] = $"{destinationAccount}:us-west-2",
            ["AWS_ENDPOINT_URL"] = ecr.BaseAddress.ToString(),
            ["AWS_USE_FIPS_ENDPOINT"] = "true",
            ["AWS_USE_DUALSTACK_ENDPOINT"] = "true",
            ["AWS_ACCESS_KEY_ID"] = "test",
            ["AWS_SECRET_ACCESS_KEY"] = "test",
        });

        Assert.True(result.IsSuccess, result.Body);
        Assert.Equal("""{"batchItemFailures":[]}""", result.Body);
        Assert.True(ecr.Calls.Count("sts:AssumeRole") >= 1);
        var destination = new EcrClient(http, new StaticCredentialsSource(destinationKeys), new EcrClientConfig("us-west-2") { ServiceUrl = ecr.BaseAddress });
        var tagged = await destination.DescribeImagesAsync(new DescribeImagesRequest { RepositoryName = "e2e/other-account", ImageIds = [new ImageIdentifier { ImageTag = "v1" }] });
        Assert.Equal(image.Digest, tagged.ImageDetails!.Single().ImageDigest);
    }

    /// <summary>
    /// Runs the published bootstrap against a local Runtime API in us-east-1 with <paramref name="environment"/> (and
    /// nothing of this process's), invokes it once with <paramref name="payload"/>, and returns the answer and its stdout.
    /// </summary>
    private async Task<(LocalInvocationResult Result, string Stdout)> InvokeAsync(string payload, IReadOnlyDictionary<string, string> environment)
    {
        await using var api = await LocalRuntimeApi.StartAsync();
        var start = new ProcessStartInfo(published.BootstrapPath) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment.Clear();
        start.Environment["AWS_LAMBDA_RUNTIME_API"] = api.Address;
        start.Environment["AWS_REGION"] = "us-east-1";
        start.Environment["AWS_LAMBDA_LOG_FORMAT"] = "JSON";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        LocalInvocationResult result;
        try
        {
            // The Runtime API answers only with the function's response or an init error: a bootstrap that crashes
            // mid-invocation would leave the invocation waiting for ever, so its exit ends the wait too (as
            // LocalLambdaHost does), and an overall bound covers one that hangs without exiting.
            var invocation = api.InvokeAsync(payload, TimeSpan.FromSeconds(60));
            var finished = await Task.WhenAny(invocation, process.WaitForExitAsync()).WaitAsync(TimeSpan.FromMinutes(3));
            if (finished != invocation)
            {
                Assert.Fail($"the bootstrap exited with code {process.ExitCode} before answering; its stderr: {await stderr}");
            }

            result = await invocation;
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync();
            }
        }

        return (result, await stdout);
    }
}
