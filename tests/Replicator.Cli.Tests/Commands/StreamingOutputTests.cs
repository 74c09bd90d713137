using System.Text.Json;
using System.Text.RegularExpressions;
using Replicator.Cli.Tests.Support;
using Replicator.Cli.Verification;

namespace Replicator.Cli.Tests.Commands;

/// <summary>
/// verify, sync and sync --dry-run write as they go: what one repository (or image) produced reaches stdout before the
/// next one is asked for, so nothing of a large registry is held for one table or one string at the end. Proved by
/// order (the requests LocalEcr had received when the text arrived), never by timing.
/// </summary>
public sealed partial class StreamingOutputTests
{
    private static readonly string[] West = ["--source-region", CliHarness.Source, "--destination-region", CliHarness.West];

    [GeneratedRegex(@"\x1b\[[0-9;?]*[A-Za-z]")]
    private static partial Regex AnsiEscape();

    private static async Task<CliHarness> TwoRepositoriesAsync(string first, string second, bool synced)
    {
        var h = await CliHarness.StartAsync(null, o => o.RecordRequests = true);
        await h.PushAsync(CliHarness.Source, first, CliHarness.Single(71), "v1");
        await h.PushAsync(CliHarness.Source, second, CliHarness.Single(72), "v1");
        if (synced)
        {
            var sync = await h.RunAsync(["sync", .. West]);
            Assert.True(sync.ExitCode == 0, sync.ToString());
        }

        h.Server.Calls.Reset();
        return h;
    }

    [Fact]
    public async Task Verify_writes_the_first_repositorys_rows_before_it_reads_the_second_repository()
    {
        await using var h = await TwoRepositoriesAsync("alpha", "beta", synced: true);
        using var output = new WatchedOutput(h.Server, text => Regex.IsMatch(text, @"alpha\s+│ v1\s+│ us-west-2"));

        var run = await h.RunIntoAsync(output, terminal: false, ["verify", .. West]);

        Assert.True(run.ExitCode == 0, run.ToString());
        var then = Assert.IsAssignableFrom<IReadOnlyList<LocalEcr.RecordedRequest>>(output.RequestsThen);
        Assert.DoesNotContain(then, r => WatchedOutput.Names(r, "beta"));
        Assert.Contains(h.Server.Calls.Requests, r => r is { Region: CliHarness.Source, Operation: "DescribeImages" } && WatchedOutput.Names(r, "beta"));
        Assert.Matches(@"beta\s+│ v1\s+│ us-west-2\s+│ sha256:\w{12}\s+│ sha256:\w{12}\s+│ in sync", run.Output);
        Assert.EndsWith("in sync: 2 tag(s) checked" + Environment.NewLine, run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_json_writes_the_first_repositorys_entries_before_it_reads_the_second_and_ends_a_valid_document()
    {
        await using var h = await TwoRepositoriesAsync("alpha", "beta", synced: true);
        await h.DeleteTagAsync(CliHarness.West, "beta", "v1");
        h.Server.Calls.Reset();
        using var output = new WatchedOutput(h.Server, text => text.Contains("\"repository\":\"alpha\"", StringComparison.Ordinal));

        var run = await h.RunIntoAsync(output, terminal: false, ["verify", "--json", .. West]);

        Assert.True(run.ExitCode == 1, run.ToString());
        var then = Assert.IsAssignableFrom<IReadOnlyList<LocalEcr.RecordedRequest>>(output.RequestsThen);
        Assert.DoesNotContain(then, r => WatchedOutput.Names(r, "beta"));
        using var document = JsonDocument.Parse(run.Output);
        Assert.Equal(["alpha", "beta"], document.RootElement.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("repository").GetString()));
        Assert.Equal(1, document.RootElement.GetProperty("missing").GetInt32());
    }

    [Fact]
    public async Task Verify_json_is_byte_for_byte_the_serialized_report()
    {
        // The document is written a piece at a time; its shape is still VerifyReport's, property for property and in
        // the same order (entries, then the counts), as a script reading the old output expects: a missing tag (a null
        // digest), an extra one and one in sync.
        await using var h = await TwoRepositoriesAsync("alpha", "beta", synced: true);
        await h.DeleteTagAsync(CliHarness.West, "alpha", "v1");
        await h.PushAsync(CliHarness.West, "beta", CliHarness.Single(73), "stray");

        var run = await h.RunAsync(["verify", "--json", .. West]);

        Assert.True(run.ExitCode == 1, run.ToString());
        var report = JsonSerializer.Deserialize(run.Output, CliJsonContext.Default.VerifyReport)!;
        Assert.Equal(3, report.Entries.Count);
        Assert.Equal(JsonSerializer.Serialize(report, CliJsonContext.Default.VerifyReport) + "\n", run.Output);
        Assert.StartsWith("{\"sourceRegion\":\"us-east-1\",\"destinations\":[\"us-west-2\"],\"entries\":[{\"repository\":\"alpha\",\"tag\":\"v1\",", run.Output, StringComparison.Ordinal);
        Assert.EndsWith("],\"inSync\":false,\"missing\":1,\"different\":0,\"extra\":1,\"archivedNotReplicated\":0,\"unreadable\":0,\"referrersUnlisted\":0,\"deletedDuringCheck\":0}\n", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dry_run_writes_the_first_repositorys_plan_before_it_plans_the_second()
    {
        await using var h = await TwoRepositoriesAsync("aa", "bb", synced: false);
        using var output = new WatchedOutput(h.Server, text => Regex.IsMatch(text, @"aa\s+│ v1\s+│ sha256:\w{12}\s+│ us-west-2\s+│ create repository, copy"));

        var run = await h.RunIntoAsync(output, terminal: false, ["sync", "--dry-run", .. West]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(0, h.WritesTo(CliHarness.West));
        var then = Assert.IsAssignableFrom<IReadOnlyList<LocalEcr.RecordedRequest>>(output.RequestsThen);
        Assert.DoesNotContain(then, r => r.Region == CliHarness.West && WatchedOutput.Names(r, "bb"));
        Assert.DoesNotContain(then, r => r is { Region: CliHarness.Source, Operation: "DescribeImages" } && WatchedOutput.Names(r, "bb"));
        Assert.Contains(h.Server.Calls.Requests, r => r.Region == CliHarness.West && WatchedOutput.Names(r, "bb"));
        Assert.StartsWith("Plan (dry run: nothing written)" + Environment.NewLine, run.Output, StringComparison.Ordinal);
        Assert.EndsWith($"2 image(s), 2 destination(s) to write, {Replicator.Cli.Output.Format.Bytes(CliHarness.Single(71).TotalBlobBytes + CliHarness.Single(72).TotalBlobBytes)} to copy" + Environment.NewLine, run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sync_on_a_terminal_writes_each_images_line_above_the_bars_before_it_copies_the_next()
    {
        await using var h = await TwoRepositoriesAsync("aa", "bb", synced: false);
        using var output = new WatchedOutput(h.Server, text => AnsiEscape().Replace(text, string.Empty).Contains("aa:v1 -> us-west-2  sha256:", StringComparison.Ordinal));

        var run = await h.RunIntoAsync(output, terminal: true, ["sync", "--parallel", "1", .. West]);

        Assert.True(run.ExitCode == 0, run.ToString());
        var then = Assert.IsAssignableFrom<IReadOnlyList<LocalEcr.RecordedRequest>>(output.RequestsThen);
        Assert.DoesNotContain(then, r => r.Region == CliHarness.West && WatchedOutput.Names(r, "bb"));
        Assert.Contains(h.Server.Calls.Requests, r => r.Operation == "PutImage" && r.Region == CliHarness.West && WatchedOutput.Names(r, "bb"));
    }

    [Fact]
    public async Task Sync_lists_a_repository_only_once_every_image_of_the_one_before_has_started()
    {
        // One image at a time: bb is listed once aa's image has started, cc once bb's has, which waits for aa's slot; so
        // a registry is held a repository at a time, never listed whole before the first copy.
        await using var h = await TwoRepositoriesAsync("aa", "bb", synced: false);
        await h.PushAsync(CliHarness.Source, "cc", CliHarness.Single(74), "v1");
        h.Server.Calls.Reset();
        using var output = new WatchedOutput(h.Server, text => text.Contains("copied     aa:v1 -> us-west-2", StringComparison.Ordinal));

        var run = await h.RunIntoAsync(output, terminal: false, ["sync", "--parallel", "1", .. West]);

        Assert.True(run.ExitCode == 0, run.ToString());
        var then = Assert.IsAssignableFrom<IReadOnlyList<LocalEcr.RecordedRequest>>(output.RequestsThen);
        Assert.DoesNotContain(then, r => r is { Region: CliHarness.Source, Operation: "DescribeImages" } && WatchedOutput.Names(r, "cc"));
        Assert.Contains(h.Server.Calls.Requests, r => r.Operation == "PutImage" && r.Region == CliHarness.West && WatchedOutput.Names(r, "cc"));
        var lines = run.Output.Split(Environment.NewLine);
        Assert.Equal(
            ["aa", "bb", "cc"],
            lines.Where(l => l.StartsWith("1 image tag(s) selected in ", StringComparison.Ordinal)).Select(l => l.Split(' ')[5]));
        Assert.True(
            Array.FindIndex(lines, l => l.StartsWith("copied     aa:v1", StringComparison.Ordinal)) < Array.FindIndex(lines, l => l.Contains("selected in cc", StringComparison.Ordinal)),
            run.Output);
        Assert.Contains("Summary: 3 image(s), 3 copied, 0 up to date, 0 skipped, 0 failed", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_named_repository_the_source_lacks_stops_sync_before_anything_is_copied(bool dryRun)
    {
        // Listed as the run goes, the selection still refuses a typo in the last name before the first copy.
        await using var h = await TwoRepositoriesAsync("aa", "bb", synced: false);
        string[] args = ["sync", .. West, "--repository", "aa", "--repository", "zz"];

        var run = await h.RunAsync(dryRun ? [.. args, "--dry-run"] : args);

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError("repository zz does not exist in us-east-1");
        Assert.DoesNotContain(h.Server.Calls.Requests, r => r.Region == CliHarness.West);
        Assert.Null(await h.TagDigestAsync(CliHarness.West, "aa", "v1"));
    }

    /// <summary>
    /// verify writes each repository's rows (or JSON entries) as it goes, so a typo in the last --repository must be
    /// refused before the first is compared: else the table of the names before it, or a JSON document cut off
    /// half way, is on stdout ahead of the error.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_named_repository_the_source_lacks_stops_verify_before_anything_is_compared(bool json)
    {
        await using var h = await TwoRepositoriesAsync("aa", "bb", synced: true);
        string[] args = ["verify", .. West, "--repository", "aa", "--repository", "zz"];

        var run = await h.RunAsync(json ? [.. args, "--json"] : args);

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError("repository zz does not exist in us-east-1");
        Assert.Equal(string.Empty, run.Output);
        Assert.DoesNotContain(h.Server.Calls.Requests, r => r.Region == CliHarness.West);
    }
}
