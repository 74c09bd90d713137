using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Replicator.Cli.Tests.Support;

namespace Replicator.Cli.Tests.Commands;

/// <summary>
/// A tag deleted in the source between its listing and the destination's, and deleted in the destination too, as the
/// function does on that delete with REPLICATE_DELETES. LocalEcr's clock holds the source's first listing while the
/// deletes happen, so the race is made without waiting. Before, the tag read "missing" and verify exited 1.
/// </summary>
public sealed class VerifyDeletedDuringCheckTests
{
    private static readonly string[] Regions = ["--source-region", CliHarness.Source, "--destination-region", CliHarness.West];

    private static async Task<(CliHarness Harness, FakeTimeProvider Time)> SyncedAsync()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var h = await CliHarness.StartAsync(time);
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(201), "v1");
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(202), "v2");
        Assert.Equal(0, (await h.RunAsync(["sync", .. Regions])).ExitCode);
        return (h, time);
    }

    private static Task<CliRun> VerifyWhileAsync(CliHarness h, FakeTimeProvider time, Func<Task> meanwhile, params string[] extra) =>
        HeldSourceListing.VerifyWhileAsync(h, time, Regions, meanwhile, extra);

    [Fact]
    public async Task A_tag_deleted_in_both_during_the_check_is_reported_deleted_not_missing()
    {
        var (h, time) = await SyncedAsync();
        await using var _ = h;

        var run = await VerifyWhileAsync(h, time, async () =>
        {
            await h.DeleteTagAsync(CliHarness.Source, "app", "v1");
            await h.DeleteTagAsync(CliHarness.West, "app", "v1");
        });

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("deleted in source during check", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("missing", run.Output, StringComparison.Ordinal);
        Assert.Contains("in sync: 1 tag(s) checked; 1 deleted in the source during the check", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_json_the_entry_and_its_count_say_deleted_during_check_and_the_report_is_in_sync()
    {
        var (h, time) = await SyncedAsync();
        await using var _ = h;

        var run = await VerifyWhileAsync(
            h,
            time,
            async () =>
            {
                await h.DeleteTagAsync(CliHarness.Source, "app", "v1");
                await h.DeleteTagAsync(CliHarness.West, "app", "v1");
            },
            "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        using var report = JsonDocument.Parse(run.Output);
        Assert.True(report.RootElement.GetProperty("inSync").GetBoolean());
        Assert.Equal(0, report.RootElement.GetProperty("missing").GetInt32());
        Assert.Equal(1, report.RootElement.GetProperty("deletedDuringCheck").GetInt32());
        var v1 = report.RootElement.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("tag").GetString() == "v1");
        Assert.Equal("DeletedDuringCheck", v1.GetProperty("status").GetString());
    }

    /// <summary>
    /// A tag found different whose recheck finds it gone from the source: DescribeImages by that tag answers
    /// ImageNotFoundException (botocore's ECR model lists it among DescribeImages' errors). Nothing explains the
    /// difference, so the entry stands as compared and verify exits 1 with its report, rather than stopping on the
    /// recheck with exit 2 and no report.
    /// </summary>
    [Fact]
    public async Task A_tag_found_different_and_deleted_in_the_source_before_its_recheck_stands_as_compared()
    {
        var (h, time) = await SyncedAsync();
        await using var _ = h;

        // The source listed v1 at its first image; meanwhile the destination's v1 names another image, and the source
        // deletes v1.
        var run = await VerifyWhileAsync(h, time, async () =>
        {
            await h.PushAsync(CliHarness.West, "app", CliHarness.Single(203), "v1");
            await h.DeleteTagAsync(CliHarness.Source, "app", "v1");
        });

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("drift: 0 missing, 1 different, 0 extra of 2", run.Output, StringComparison.Ordinal);
        Assert.Empty(run.Error);
    }

    [Fact]
    public async Task A_tag_the_source_still_has_stays_missing()
    {
        // Deleted in the destination only: the source still holds v1, so the replica is missing, whatever the race.
        var (h, time) = await SyncedAsync();
        await using var _ = h;

        var run = await VerifyWhileAsync(h, time, () => h.DeleteTagAsync(CliHarness.West, "app", "v1"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("drift: 1 missing, 0 different, 0 extra of 2", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("deleted in", run.Output, StringComparison.Ordinal);
    }
}
