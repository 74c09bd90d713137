using Microsoft.Extensions.Time.Testing;
using Replicator.Cli.Composition;
using Replicator.Cli.Tests.Support;

namespace Replicator.Cli.Tests.Commands;

/// <summary>What sync and copy report when a run does not end as planned: stopped midway, or a tag moved under it.</summary>
public sealed class SyncReportTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Ctrl_C_mid_copy_shows_what_finished_reads_the_cut_copy_as_interrupted_and_exits_130(bool terminal)
    {
        // LocalEcr's clock is never advanced: the second image's PutImage answer is held until the cancel. One image at
        // a time, in the listing's order, so the third never starts; its repository is listed once the second image has
        // started, so it counts among the images selected when the stop came.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await CliHarness.StartAsync(time);
        var first = CliHarness.Single(61);
        await h.PushAsync(CliHarness.Source, "aa", first, "v1");
        await h.PushAsync(CliHarness.Source, "bb", CliHarness.Single(62), "v1");
        await h.PushAsync(CliHarness.Source, "cc", CliHarness.Single(63), "v1");
        h.Server.Faults.DelayResponses("PutImage", TimeSpan.Zero, 1, CliHarness.West);
        h.Server.Faults.DelayResponses("PutImage", TimeSpan.FromHours(1), 1, CliHarness.West);
        using var ctrlC = new CancellationTokenSource();
        var ccListed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var output = new WatchedOutput(h.Server, text =>
        {
            var listed = text.Contains("selected in cc ", StringComparison.Ordinal);
            if (listed)
            {
                ccListed.TrySetResult();
            }

            return listed;
        });

        var running = h.RunIntoCancellableAsync(output, h.Environment(), TimeProvider.System, terminal, ctrlC.Token, ["sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--parallel", "1"]);
        await h.Server.Faults.TimersArmedAsync().WaitAsync(TimeSpan.FromMinutes(1));
        await ccListed.Task.WaitAsync(TimeSpan.FromMinutes(1));
        await ctrlC.CancelAsync();
        var run = await running.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(run.ExitCode == ExitCodes.Cancelled, run.ToString());
        Assert.Equal(first.Digest, await h.TagDigestAsync(CliHarness.West, "aa", "v1"));
        if (terminal)
        {
            // Live bars in place of the lines, and the summary after them: its caption (wrapped to the terminal's
            // width, so read with the line breaks and borders taken out) counts the interrupted copy.
            Assert.Contains("Summary", run.Output, StringComparison.Ordinal);
            var words = string.Join(' ', System.Text.RegularExpressions.Regex.Replace(run.Output, @"\x1b\[[0-9;]*[A-Za-z]", " ").Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("0 failed, 1 interrupted,", words, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("copied     aa:v1 -> us-west-2", run.Output, StringComparison.Ordinal);
            Assert.Contains("interrupted bb:v1 -> us-west-2  stopped before it finished", run.Output, StringComparison.Ordinal);
            Assert.True(run.Output.Contains("2 image(s), 1 copied, 0 up to date, 0 skipped, 0 failed, 1 interrupted", StringComparison.Ordinal), run.ToString());
        }

        Assert.DoesNotContain("DeadlineExceeded", run.Output + run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("cc:v1", run.Output, StringComparison.Ordinal);
        Assert.Equal("error: cancelled after 1 of 3 image(s) replicated; layers already copied are kept and skipped next time", run.Error.Trim());
    }

    /// <summary>
    /// Ctrl+C while the command still reads the source (copy's image, verify's listing) ends it through CliApp's own
    /// catch: one line, "cancelled", and 130, a stop's code, not 2, which a CI step reads as refused arguments.
    /// </summary>
    [Theory]
    [InlineData("copy", "aa:v1")]
    [InlineData("verify", "--json")]
    public async Task Ctrl_C_while_reading_the_source_prints_cancelled_and_exits_130(string command, string argument)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await CliHarness.StartAsync(time);
        await h.PushAsync(CliHarness.Source, "aa", CliHarness.Single(67), "v1");
        h.Server.Faults.DelayResponses("DescribeImages", TimeSpan.FromHours(1), 1, CliHarness.Source);
        using var ctrlC = new CancellationTokenSource();

        var running = h.RunCancellableAsync(h.Environment(), time, ctrlC.Token, command, argument, "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);
        await h.Server.Faults.TimersArmedAsync().WaitAsync(TimeSpan.FromMinutes(1));
        await ctrlC.CancelAsync();
        var run = await running.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(run.ExitCode == ExitCodes.Cancelled, run.ToString());
        run.AssertOneLineError("error: cancelled");
        Assert.Null(await h.TagDigestAsync(CliHarness.West, "aa", "v1"));
    }

    /// <summary>
    /// A stop that arrives once every image has come back and the listing has ended cuts nothing: the run's own exit
    /// code stands, for one image (copy) as for a selection (sync).
    /// </summary>
    [Theory]
    [InlineData("copy")]
    [InlineData("sync")]
    public async Task A_stop_after_every_image_came_back_cuts_nothing_and_the_run_exits_0(string command)
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "aa", CliHarness.Single(66), "v1");
        using var ctrlC = new CancellationTokenSource();
        using var output = new WatchedOutput(h.Server, text =>
        {
            var done = text.Contains("copied     aa:v1", StringComparison.Ordinal);
            if (done)
            {
                _ = ctrlC.CancelAsync();
            }

            return done;
        });
        string[] args = command == "copy"
            ? ["copy", "aa:v1", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West]
            : ["sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West];

        var run = await h.RunIntoCancellableAsync(output, ctrlC.Token, args);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.DoesNotContain("cancelled", run.Error, StringComparison.Ordinal);
        Assert.Contains("1 image(s), 1 copied", run.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// A stop while a later repository is still being listed cuts the run short even when every image listed so far
    /// has come back whole: the repositories not listed yet were never replicated, so the run is cancelled (130), not
    /// a success a CI step would take for a complete sync.
    /// </summary>
    [Fact]
    public async Task A_stop_while_a_later_repository_is_listed_is_a_cancelled_run_though_every_started_image_finished()
    {
        // LocalEcr's clock is never advanced: the source's second DescribeImages (bb's listing, asked once aa's one
        // image has started) is held until the stop; the first (aa's) is answered at once.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await CliHarness.StartAsync(time);
        await h.PushAsync(CliHarness.Source, "aa", CliHarness.Single(72), "v1");
        await h.PushAsync(CliHarness.Source, "bb", CliHarness.Single(73), "v1");
        h.Server.Faults.DelayResponses("DescribeImages", TimeSpan.Zero, 1, CliHarness.Source);
        h.Server.Faults.DelayResponses("DescribeImages", TimeSpan.FromHours(1), 1, CliHarness.Source);
        using var ctrlC = new CancellationTokenSource();
        var copied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var output = new WatchedOutput(h.Server, text =>
        {
            var done = text.Contains("copied     aa:v1", StringComparison.Ordinal);
            if (done)
            {
                copied.TrySetResult();
            }

            return done;
        });

        var running = h.RunIntoCancellableAsync(output, h.Environment(), TimeProvider.System, terminal: false, ctrlC.Token, ["sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--parallel", "1"]);
        await h.Server.Faults.TimersArmedAsync().WaitAsync(TimeSpan.FromMinutes(1));
        await copied.Task.WaitAsync(TimeSpan.FromMinutes(1));
        await ctrlC.CancelAsync();
        var run = await running.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(run.ExitCode == ExitCodes.Cancelled, run.ToString());
        Assert.Contains("1 image(s), 1 copied", run.Output, StringComparison.Ordinal);
        Assert.Equal("error: cancelled after 1 of 1 image(s) replicated; layers already copied are kept and skipped next time", run.Error.Trim());
        Assert.Null(await h.TagDigestAsync(CliHarness.West, "bb", "v1"));
    }

    /// <summary>
    /// A repository's listing that fails midway (access denied, throttling past its retries) ends the run with its
    /// error, exit 2; the images already started finish first and are reported, never cut short into failures.
    /// </summary>
    [Fact]
    public async Task A_listing_that_fails_midway_lets_the_started_images_finish_and_report_before_the_error()
    {
        // LocalEcr's clock holds the first two PutImage answers a minute (inside the 5 minutes of signature skew it
        // accepts), so two images of aa occupy both slots and bb is not listed yet when its failure is armed.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await CliHarness.StartAsync(time);
        for (var i = 0; i < 3; i++)
        {
            await h.PushAsync(CliHarness.Source, "aa", CliHarness.Single(67 + (ulong)i), $"v{i}");
        }

        await h.PushAsync(CliHarness.Source, "bb", CliHarness.Single(70), "v1");
        h.Server.Faults.DelayResponses("PutImage", TimeSpan.FromMinutes(1), 2, CliHarness.West);

        var running = h.RunAsync("sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--parallel", "2");
        await h.Server.Faults.TimersArmedAsync(2).WaitAsync(TimeSpan.FromMinutes(1));
        h.Server.Faults.FailNext("DescribeImages", 1, "AccessDeniedException", region: CliHarness.Source);
        time.Advance(TimeSpan.FromMinutes(1));
        var run = await running.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("3 image(s), 3 copied, 0 up to date, 0 skipped, 0 failed", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("DeadlineExceeded", run.Output + run.Error, StringComparison.Ordinal);
        Assert.Contains("AccessDeniedException", run.Error, StringComparison.Ordinal);
        Assert.Null(await h.TagDigestAsync(CliHarness.West, "bb", "v1"));
    }

    [Fact]
    public async Task A_tag_the_source_moves_after_the_selection_is_reported_as_left_alone_and_exits_1()
    {
        // LocalEcr's clock only: the CLI's listing answer is held (it names the first image) while the tag moves. The
        // hold is a minute, well inside the 5 minutes of signature skew LocalEcr accepts, so once the clock has moved
        // past it the CLI's requests (signed on the system clock) are still current.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await CliHarness.StartAsync(time);
        var old = CliHarness.Single(64);
        var moved = CliHarness.Single(65);
        await h.PushAsync(CliHarness.Source, "app", old, "v1");
        h.Server.Faults.DelayResponses("DescribeImages", TimeSpan.FromMinutes(1), 1, CliHarness.Source);

        var running = h.RunAsync("sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);
        await h.Server.Faults.TimersArmedAsync().WaitAsync(TimeSpan.FromMinutes(1));
        await h.PushAsync(CliHarness.Source, "app", moved, "v1");
        time.Advance(TimeSpan.FromMinutes(1));
        var run = await running.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.DoesNotContain("retrying", run.Error, StringComparison.Ordinal);
        Assert.Null(await h.TagDigestAsync(CliHarness.West, "app", "v1"));
        Assert.Contains($"tag moved  app:v1 -> us-west-2  {old.Digest[..19]}, ", run.Output, StringComparison.Ordinal);
        Assert.Contains("tag v1 left alone: the source moved or removed it after the images were selected; run the command again", run.Output, StringComparison.Ordinal);
        Assert.Contains("1 image(s), 0 copied, 0 up to date, 0 skipped, 0 failed, 1 tag moved", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_tag_the_source_moves_after_the_selection_reads_tag_moved_in_the_dry_run_plan_and_exits_1(bool destinationHoldsListed)
    {
        // As the copy's test above: LocalEcr's clock holds the listing while the tag moves. The plan read "up to date"
        // (exit 0) or "copy" for a tag the copy would leave alone and report "tag moved" (exit 1).
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await CliHarness.StartAsync(time);
        var old = CliHarness.Single(68);
        var moved = CliHarness.Single(69);
        await h.PushAsync(CliHarness.Source, "app", old, "v1");
        if (destinationHoldsListed)
        {
            await h.PushAsync(CliHarness.West, "app", old, "v1");
        }

        h.Server.Faults.DelayResponses("DescribeImages", TimeSpan.FromMinutes(1), 1, CliHarness.Source);

        var running = h.RunAsync("sync", "--dry-run", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);
        await h.Server.Faults.TimersArmedAsync().WaitAsync(TimeSpan.FromMinutes(1));
        await h.PushAsync(CliHarness.Source, "app", moved, "v1");
        time.Advance(TimeSpan.FromMinutes(1));
        var run = await running.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Matches(@"app\s+│ v1\s+│ sha256:\w{12}\s+│ us-west-2\s+│ tag moved: tag v1 left alone", run.Output);
        Assert.DoesNotContain("up to date", run.Output, StringComparison.Ordinal);
        Assert.Contains(", 1 tag(s) moved", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tagged_referrers_subject_copied_first_is_not_read_as_its_tag_moving()
    {
        await using var h = await CliHarness.StartAsync();
        var builder = new Replicator.Samples.SampleImageBuilder(seed: 67);
        var image = builder.Image(Replicator.Samples.SampleFormat.Oci, [1024]);
        var signature = builder.Artifact(image.Root);
        await h.PushAsync(CliHarness.Source, "app", image, null);
        await h.PushAsync(CliHarness.Source, "app", signature, "sig");

        // The signature's subject is copied first, untagged, on the same flow as the tagged signature.
        var run = await h.RunAsync("copy", "app:sig", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(signature.Digest, await h.TagDigestAsync(CliHarness.West, "app", "sig"));
        Assert.Contains($"copied     app:sig -> us-west-2  {image.Digest[..19]}, ", run.Output, StringComparison.Ordinal);
        Assert.Contains($"copied     app:sig -> us-west-2  {signature.Digest[..19]}, ", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Replicator.Cli.Output.Outcomes.TagMoved, run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_line_longer_than_the_redirected_width_stays_one_line()
    {
        await using var h = await CliHarness.StartAsync();
        var repository = "team/" + new string('a', 220);
        await h.PushAsync(CliHarness.Source, repository, CliHarness.Single(66), "v1");

        var run = await h.RunAsync("sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.True(run.ExitCode == 0, run.ToString());
        var line = run.Output.Split('\n').Single(l => l.StartsWith("copied ", StringComparison.Ordinal));
        Assert.True(line.Length > Replicator.Cli.Output.CliConsole.RedirectedWidth, line);
        Assert.Contains($"{repository}:v1 -> us-west-2  sha256:", line, StringComparison.Ordinal);
        Assert.Contains("layers copied, 0 already there", line, StringComparison.Ordinal);
    }
}
