using Replicator.Cli.Tests.Support;

namespace Replicator.Cli.Tests.Commands;

/// <summary>
/// A <c>--destination-region ACCOUNT:REGION</c> naming the source's own account and region is the source registry
/// itself, which the engine refuses on every image (RequestValidator) and the function skips on every record
/// (ReplicationDestination.IsSource). SelectionParser refuses a bare source region; the account is only known from the
/// registry. LocalEcr's default account (000000000000) is the source's.
/// </summary>
public sealed class SourceRegistryDestinationTests
{
    private static readonly string Own = $"000000000000:{CliHarness.Source}";

    // Never reached: the refusal comes before any message is sent (port 1 would refuse the connection).
    private const string Queue = "http://127.0.0.1:1/000000000000/replicator.fifo";

    [Theory]
    [InlineData("sync", null)]
    [InlineData("sync --dry-run", null)]
    [InlineData("sync --enqueue", null)]
    [InlineData("copy", null)]
    [InlineData("sync", "=backup/")]
    [InlineData("copy", "=backup/")]
    public async Task A_destination_naming_the_source_registry_is_a_usage_error_before_anything_is_written(string mode, string? mapping)
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(95), "v1");
        string[] args = mode switch
        {
            "copy" => ["copy", "app:v1", "--source-region", CliHarness.Source, "--destination-region", Own],
            "sync" => ["sync", "--source-region", CliHarness.Source, "--destination-region", Own],
            "sync --enqueue" => ["sync", "--source-region", CliHarness.Source, "--destination-region", Own, "--enqueue", Queue],
            _ => ["sync", "--dry-run", "--source-region", CliHarness.Source, "--destination-region", Own],
        };

        h.Server.Calls.Reset();

        var run = await h.RunAsync(mapping is null ? args : [.. args, "--repository-mapping", mapping]);

        // Was: sync and copy FAILED per image with InvalidRequest (exit 1, as if a copy had failed), --dry-run
        // "error: ArgumentException: ...", --enqueue compared nothing with it.
        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError($"--destination-region {Own} is the source registry (account 000000000000 in {CliHarness.Source}): nothing is replicated into the source itself");
        Assert.Equal(string.Empty, run.Output);
        Assert.Null(await h.TagDigestAsync(CliHarness.Source, "backup/app", "v1"));

        // --enqueue reads the account once, for the queue's check and this one: it read the registry's listing and the
        // first repository again (three DescribeRepositories). sync lists the registry and reads the first repository;
        // copy has the account from the image it reads.
        var reads = mode switch { "sync --enqueue" => 1, "copy" => 0, _ => 2 };
        Assert.Equal(reads, h.Server.Calls.Count(CliHarness.Source, "DescribeRepositories"));
    }

    [Theory]
    [InlineData("sync")]
    [InlineData("copy")]
    [InlineData("verify")]
    public async Task A_region_named_bare_and_with_the_source_account_is_one_registry_and_a_usage_error(string mode)
    {
        // REGION (written with the CLI's own credentials) and SOURCE_ACCOUNT:REGION name one registry: the function keeps
        // the first (ReplicationDestination.For). Both were written at once: "2 copied" and the bytes counted twice.
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(97), "v1");
        var both = $"{CliHarness.West},000000000000:{CliHarness.West}";
        string[] args = mode == "copy"
            ? ["copy", "app:v1", "--source-region", CliHarness.Source, "--destination-region", both]
            : [mode, "--source-region", CliHarness.Source, "--destination-region", both];

        var run = await h.RunAsync(args);

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError($"--destination-region 000000000000:{CliHarness.West} and {CliHarness.West} name one registry (account 000000000000, the source's, in {CliHarness.West}): give one of them");
        Assert.Equal(0, h.WritesTo(CliHarness.West));
    }

    [Fact]
    public async Task Another_account_in_the_source_region_is_still_a_destination()
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(96), "v1");

        var run = await h.RunAsync("sync", "--dry-run", "--source-region", CliHarness.Source, "--destination-region", $"111111111111:{CliHarness.Source}");

        Assert.DoesNotContain("is the source registry", run.ToString(), StringComparison.Ordinal);
    }
}
