using System.Diagnostics;
using System.Text.RegularExpressions;
using LocalLambdaHost;
using Replicator.Function.Runtime;
using Replicator.Function.Tests.Support;

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
}
