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
using Replicator.Testing;

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
    /// Behind an egress proxy (a VPC without NAT): with HTTPS_PROXY and HTTP_PROXY set as Lambda environment variables,
    /// every AWS call of the deployed process goes through the proxy, the engine's own (ECR API calls, the presigned
    /// layer downloads, PutEvents) and AWSSDK's (STS AssumeRole, the SQS dead-letter send) alike, and the Runtime API
    /// does not. The endpoints' names resolve only at the proxy, which inspects TLS with a root of its own
    /// (AWS_CA_BUNDLE), and which asks for the credentials in the proxy URL: a call that bypassed it could not have been
    /// answered. .NET reads these variables from the process (HttpClient.DefaultProxy, lower case first:
    /// https://learn.microsoft.com/dotnet/api/system.net.http.httpclient.defaultproxy), and bypasses no host unless
    /// NO_PROXY names it, loopback included (https://github.com/dotnet/runtime/issues/31680).
    /// </summary>
    [Fact]
    public async Task Behind_an_egress_proxy_every_aws_call_goes_through_it_and_the_runtime_api_does_not()
    {
        Assert.True(File.Exists(published.BootstrapPath), published.PublishOutput);
        await using var rig = await ProxyRig.StartAsync(ProxyPassword);
        var (result, stdout) = await InvokeAsync(rig.Payload, rig.Environment(ProxyPassword));

        Assert.True(result.IsSuccess, result.Body + stdout);
        Assert.Equal("""{"batchItemFailures":[]}""", result.Body);
        var seen = rig.Proxy.Seen.ToArray();
        Assert.Contains("CONNECT ecr.proxy-only.test:443", seen);
        Assert.Contains("CONNECT sts.proxy-only.test:443", seen);
        Assert.Contains("CONNECT sqs.proxy-only.test:443", seen);
        Assert.Contains("CONNECT events.proxy-only.test:443", seen);
        Assert.Contains(seen, s => s.StartsWith("GET http://127.0.0.1:", StringComparison.Ordinal) && s.Contains("/_blobs/", StringComparison.Ordinal));
        Assert.DoesNotContain(seen, s => s.Contains("2018-06-01", StringComparison.Ordinal));
        Assert.True(rig.Ecr.Calls.Count("sts:AssumeRole") >= 1);
        Assert.Contains(rig.Sqs.Requests, r => r.Target == "AmazonSQS.SendMessage");
        Assert.NotEmpty(rig.Events.Accepted);
        await rig.AssertReplicatedAsync();
        Assert.DoesNotContain(ProxyPassword, stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// A proxy that refuses the credentials of HTTPS_PROXY (http://user:password@host:port): .NET names the proxy URL,
    /// user information included, in the exception ("The proxy tunnel request to proxy 'http://ops:...@...' failed
    /// with status code '407'"), and that message reaches log lines, the dead-letter reason and the invocation's
    /// answer. The password never does.
    /// </summary>
    [Fact]
    public async Task A_proxy_refusing_the_credentials_of_https_proxy_never_gets_its_password_into_the_output()
    {
        Assert.True(File.Exists(published.BootstrapPath), published.PublishOutput);
        await using var rig = await ProxyRig.StartAsync(ProxyPassword);
        const string wrong = "Wr0ngPr0xyPassw0rdNeverPrinted";
        var (result, stdout) = await InvokeAsync(rig.Payload, rig.Environment(wrong));

        Assert.NotEmpty(rig.Proxy.Refused);
        Assert.Contains("batchItemFailures", result.Body, StringComparison.Ordinal);
        Assert.Contains("407", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, result.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(Uri.EscapeDataString(wrong), stdout, StringComparison.Ordinal);
    }

    private const string ProxyPassword = "S3cretPr0xyPassw0rdNeverPrinted";

    /// <summary>
    /// LocalEcr (ECR and STS), a fake SQS (the dead-letter queue) and a local EventBridge behind <see cref="EgressProxy"/>,
    /// by names only the proxy resolves; an image pushed to the source, and a batch with its event and one that is no
    /// event at all (dead-lettered at once).
    /// </summary>
    private sealed class ProxyRig : IAsyncDisposable
    {
        private const string DestinationAccount = "222222222222";
        private static readonly AwsCredentials DestinationKeys = new("AKIADESTINATION00002", "destination/secret/key/2");
        private static readonly AwsCredentials OwnKeys = new(LocalEventBridge.AccessKeyId, LocalEventBridge.SecretAccessKey);
        private readonly string _bundle;
        private readonly SampleImage _image;

        private ProxyRig(LocalEcrServer ecr, FakeSqsServer sqs, LocalEventBridge events, EgressProxy proxy, string bundle, SampleImage image, string payload)
        {
            Ecr = ecr;
            Sqs = sqs;
            Events = events;
            Proxy = proxy;
            _bundle = bundle;
            _image = image;
            Payload = payload;
        }

        public LocalEcrServer Ecr { get; }

        public FakeSqsServer Sqs { get; }

        public LocalEventBridge Events { get; }

        public EgressProxy Proxy { get; }

        public string Payload { get; }

        public static async Task<ProxyRig> StartAsync(string proxyPassword)
        {
            var ecr = await LocalEcrServer.StartAsync(new LocalEcrOptions
            {
                Port = 0,
                AccessKey = OwnKeys.AccessKeyId,
                SecretKey = OwnKeys.SecretAccessKey,
                OtherAccounts = { new LocalEcrAccount(DestinationAccount, DestinationKeys.AccessKeyId, DestinationKeys.SecretAccessKey) },
            });
            var sqs = await FakeSqsServer.StartAsync();
            var events = await LocalEventBridge.StartAsync();
            var proxy = new EgressProxy(
                new Dictionary<string, int>
                {
                    ["ecr.proxy-only.test"] = ecr.BaseAddress.Port,
                    ["sts.proxy-only.test"] = ecr.BaseAddress.Port,
                    ["sqs.proxy-only.test"] = sqs.Endpoint.Port,
                    ["events.proxy-only.test"] = events.Endpoint.Port,
                },
                $"ops:{proxyPassword}");
            var bundle = Path.Combine(Path.GetTempPath(), $"proxy-ca-{Guid.NewGuid():N}.pem");
            await File.WriteAllTextAsync(bundle, proxy.CaPem);

            using var http = new HttpClient();
            var source = new EcrClient(http, new StaticCredentialsSource(OwnKeys), new EcrClientConfig("us-east-1") { ServiceUrl = ecr.BaseAddress });
            var image = new SampleImageBuilder(seed: 79).Image(SampleFormat.Oci, [64 * 1024]);
            await SampleImagePusher.PushAsync(source, "e2e/proxied", image, "v1");
            var payload = JsonSerializer.Serialize(
                Support.Events.Batch(
                    Support.Events.Record("m0", Support.Events.Body(repository: "e2e/proxied", digest: image.Digest, tag: "v1"), group: "e2e/proxied"),
                    Support.Events.Record("m1", "not an event", group: "other")),
                EventJsonContext.Default.SQSEvent);
            return new ProxyRig(ecr, sqs, events, proxy, bundle, image, payload);
        }

        /// <summary>The function's settings, the proxy's URL carrying <paramref name="password"/>.</summary>
        public Dictionary<string, string> Environment(string password) => new()
        {
            ["DESTINATION_REGIONS"] = $"{DestinationAccount}:us-west-2",
            ["AWS_ENDPOINT_URL_ECR"] = "https://ecr.proxy-only.test/",
            ["AWS_ENDPOINT_URL_STS"] = "https://sts.proxy-only.test/",
            ["AWS_ENDPOINT_URL_SQS"] = "https://sqs.proxy-only.test/",
            ["AWS_ENDPOINT_URL_EVENTBRIDGE"] = "https://events.proxy-only.test/",
            ["DEAD_LETTER_QUEUE_URL"] = "https://sqs.us-east-1.amazonaws.com/000000000000/dlq.fifo",
            ["REPLICATED_EVENT_BUS"] = "replicated",
            ["AWS_CA_BUNDLE"] = _bundle,
            ["HTTPS_PROXY"] = $"http://ops:{password}@127.0.0.1:{Proxy.Port}",
            ["HTTP_PROXY"] = $"http://ops:{password}@127.0.0.1:{Proxy.Port}",
            ["AWS_ACCESS_KEY_ID"] = OwnKeys.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = OwnKeys.SecretAccessKey,
        };

        public async Task AssertReplicatedAsync()
        {
            using var http = new HttpClient();
            var destination = new EcrClient(http, new StaticCredentialsSource(DestinationKeys), new EcrClientConfig("us-west-2") { ServiceUrl = Ecr.BaseAddress });
            var tagged = await destination.DescribeImagesAsync(new DescribeImagesRequest { RepositoryName = "e2e/proxied", ImageIds = [new ImageIdentifier { ImageTag = "v1" }] });
            Assert.Equal(_image.Digest, tagged.ImageDetails!.Single().ImageDigest);
        }

        public async ValueTask DisposeAsync()
        {
            await Proxy.DisposeAsync();
            await Events.DisposeAsync();
            await Sqs.DisposeAsync();
            await Ecr.DisposeAsync();
            File.Delete(_bundle);
        }
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
