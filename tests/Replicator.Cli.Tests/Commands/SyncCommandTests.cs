using Replicator.Cli.Tests.Support;
using Replicator.Core.Errors;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Signing;
using Replicator.Testing;

namespace Replicator.Cli.Tests.Commands;

public sealed class SyncCommandTests
{
    /// <summary>
    /// The one repository named with --repository, there when the selection was checked and gone when its images are
    /// listed (deleted in between): still the usage error of a named repository the source lacks, exit 2. Passed over as
    /// a repository the registry listing returned and then lost, the run said "nothing to replicate" and exited 0 for a
    /// name that selects nothing. LocalEcr's clock holds the check's answer while the listing's failure is armed, so
    /// the race is made without waiting.
    /// </summary>
    [Fact]
    public async Task A_single_named_repository_deleted_after_the_check_is_still_a_usage_error()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await CliHarness.StartAsync(time);
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(74), "v1");

        var run = await h.RunWithRepositoryDeletedAfterItsCheckAsync(time, "sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--repository", "app");

        Assert.True(run.ExitCode == 2, run.ToString());
        run.AssertOneLineError("repository app does not exist in us-east-1");
        Assert.DoesNotContain("nothing to replicate", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sync_copies_every_tag_to_every_destination_and_prints_plain_lines_when_redirected()
    {
        await using var h = await CliHarness.StartAsync();
        var app = CliHarness.Sample(1);
        var tool = CliHarness.Single(2);
        await h.PushAsync(CliHarness.Source, "team/app", app, "v1");
        await h.PushAsync(CliHarness.Source, "team/tool", tool, "latest");

        var run = await h.RunAsync("sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--destination-region", CliHarness.Europe);

        Assert.True(run.ExitCode == 0, run.ToString());
        run.AssertNoAnsi();
        foreach (var region in new[] { CliHarness.West, CliHarness.Europe })
        {
            Assert.Equal(app.Digest, await h.TagDigestAsync(region, "team/app", "v1"));
            Assert.Equal(tool.Digest, await h.TagDigestAsync(region, "team/tool", "latest"));
        }

        Assert.Contains("copied     team/app:v1 -> us-west-2", run.Output, StringComparison.Ordinal);
        Assert.Contains("Summary", run.Output, StringComparison.Ordinal);
        Assert.Contains("2 image(s), 4 copied, 0 up to date, 0 skipped, 0 failed", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_listed_repository_deleted_before_its_images_are_read_is_left_out_and_the_others_are_copied()
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "alpha", CliHarness.Single(11), "v1");
        await h.PushAsync(CliHarness.Source, "beta", CliHarness.Single(12), "v1");

        // The first repository's DescribeImages answers as ECR does once it is deleted after the listing.
        h.Server.Faults.FailNext("DescribeImages", 1, "RepositoryNotFoundException", region: CliHarness.Source);
        var run = await h.RunAsync("sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.True(run.ExitCode == 0, run.ToString());
        var copied = 0;
        foreach (var repository in new[] { "alpha", "beta" })
        {
            copied += await h.TagDigestAsync(CliHarness.West, repository, "v1") is null ? 0 : 1;
        }

        Assert.Equal(1, copied);
        Assert.Contains("1 image(s), 1 copied", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retry_notices_go_to_stderr_and_stdout_keeps_the_results_alone()
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(21), "v1");
        h.Server.Faults.FailNext("PutImage", 1, "ThrottlingException", region: CliHarness.West);

        var run = await h.RunOnAsync(new WaitsElapseAtOnceClock(), "sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("retrying PutImage in ", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("retrying", run.Output, StringComparison.Ordinal);
        Assert.Contains("copied     app:v1 -> us-west-2", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Second_sync_is_up_to_date_and_uploads_nothing()
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Sample(3), "v1");
        Assert.Equal(0, (await h.RunAsync("sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West)).ExitCode);
        h.Server.Calls.Reset();

        var run = await h.RunAsync("sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(0, h.WritesTo(CliHarness.West));
        Assert.Contains("1 image(s), 0 copied, 1 up to date", run.Output, StringComparison.Ordinal);

        // The digest alone: counts of nothing copied and nothing checked read as if the destination held nothing.
        var line = run.Output.Split(Environment.NewLine).Single(l => l.StartsWith("up-to-date ", StringComparison.Ordinal));
        Assert.Matches(@"^up-to-date +app:v1 -> us-west-2  sha256:[0-9a-f]{12}$", line);
    }

    [Fact]
    public async Task Selection_options_narrow_what_is_copied()
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "team/app", CliHarness.Single(4), "v1");
        await h.PushAsync(CliHarness.Source, "team/app", CliHarness.Single(5), "dev-v1");
        await h.PushAsync(CliHarness.Source, "other/app", CliHarness.Single(6), "v1");

        var run = await h.RunAsync("sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--repository-prefix", "team/", "--tag-filter", "v[0-9]+");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.NotNull(await h.TagDigestAsync(CliHarness.West, "team/app", "v1"));
        Assert.Null(await h.TagDigestAsync(CliHarness.West, "team/app", "dev-v1"));
        Assert.Null(await h.TagDigestAsync(CliHarness.West, "other/app", "v1"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_selected_repository_without_a_selected_tag_is_nothing_to_replicate_with_or_without_dry_run(bool dryRun)
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "team/app", CliHarness.Single(7), "dev-v1");
        string[] args = ["sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--repository", "team/app", "--tag-filter", "v[0-9]+"];

        var run = await h.RunAsync(dryRun ? [.. args, "--dry-run"] : args);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("nothing to replicate", run.Output.Trim().Split('\n')[^1].Trim());
        Assert.DoesNotContain("Plan", run.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// A tag whose image the source archived cannot be copied (a pull gets 404), and the listing used to leave it out
    /// without a word: "nothing to replicate" read as a complete backfill. It is still left out, and said.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Tags_of_archived_images_are_left_out_and_said(bool dryRun)
    {
        await using var h = await CliHarness.StartAsync();
        var archived = CliHarness.Single(31);
        await h.PushAsync(CliHarness.Source, "app", archived, "old");
        await h.PushAsync(CliHarness.Source, "app", archived, "older");
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(32), "new");
        using (var http = new HttpClient())
        {
            await EcrArchiver.ArchiveAsync(http, h.Server.BaseAddress, CliHarness.Source, "app", archived.Digest, new AwsCredentials(CliHarness.AccessKey, CliHarness.SecretKey));
        }

        string[] args = ["sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West];
        var run = await h.RunAsync(dryRun ? [.. args, "--dry-run"] : args);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("2 tag(s) of archived images left out (restore them in the source to copy them)", run.Output, StringComparison.Ordinal);
        Assert.Contains(dryRun ? "1 image(s), 1 destination(s) to write" : "1 image(s), 1 copied", run.Output, StringComparison.Ordinal);
        Assert.Null(await h.TagDigestAsync(CliHarness.West, "app", "old"));
    }

    /// <summary>
    /// An index the source holds ACTIVE whose platform manifest it archived (a lifecycle rule that archives untagged
    /// images): the listing selects the index, and the copy reports it archived, naming the child, as the engine does
    /// (nothing can copy it until the child is restored). The dry run plans the same image the same way, a row per
    /// destination, rather than stopping the whole plan on it with an error.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_index_whose_platform_manifest_is_archived_is_reported_archived_and_the_rest_planned(bool dryRun)
    {
        await using var h = await CliHarness.StartAsync();
        var (child, run) = await SyncWithArchivedChildAsync(h, restoring: false, dryRun);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains(child, run.Output, StringComparison.Ordinal);
        Assert.Contains("archived", run.Output, StringComparison.Ordinal);
        Assert.Contains(dryRun ? "2 image(s), 1 destination(s) to write" : "1 copied", run.Output, StringComparison.Ordinal);
        Assert.Null(await h.TagDigestAsync(CliHarness.West, "app", "multi"));
    }

    /// <summary>
    /// A platform manifest being restored from the archive (ACTIVATING) fails its index in sync, transiently, and the
    /// other images are copied; the plan says the same of that image and goes on, instead of stopping with exit 2.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_index_whose_platform_manifest_is_being_restored_fails_that_image_and_the_rest_is_planned(bool dryRun)
    {
        await using var h = await CliHarness.StartAsync();
        var (child, run) = await SyncWithArchivedChildAsync(h, restoring: true, dryRun);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains(child, run.Output, StringComparison.Ordinal);
        Assert.Contains(ReplicationErrorCodes.SourceImageActivating, run.Output, StringComparison.Ordinal);
        Assert.Contains(dryRun ? "2 image(s), 1 destination(s) to write, " : "1 copied", run.Output, StringComparison.Ordinal);
        if (dryRun)
        {
            Assert.Contains(", 1 image(s) being restored", run.Output, StringComparison.Ordinal);
        }

        Assert.Null(await h.TagDigestAsync(CliHarness.West, "app", "multi"));
        Assert.Equal(dryRun ? null : (await h.TagDigestAsync(CliHarness.Source, "app", "single")), await h.TagDigestAsync(CliHarness.West, "app", "single"));
    }

    /// <summary>
    /// Pushes an index (tag multi) and an image (tag single) to the source's repository app, archives the index's first
    /// platform manifest (and starts its restore when <paramref name="restoring"/>: it stays ACTIVATING), then runs
    /// sync to the west region, or its dry run.
    /// </summary>
    private static async Task<(string Child, CliRun Run)> SyncWithArchivedChildAsync(CliHarness h, bool restoring, bool dryRun)
    {
        var index = CliHarness.Sample(34);
        await h.PushAsync(CliHarness.Source, "app", index, "multi");
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(35), "single");
        var child = index.Manifests[0].Digest;
        using (var http = new HttpClient())
        {
            var credentials = new AwsCredentials(CliHarness.AccessKey, CliHarness.SecretKey);
            await EcrArchiver.ArchiveAsync(http, h.Server.BaseAddress, CliHarness.Source, "app", child, credentials);
            if (restoring)
            {
                await EcrArchiver.RestoreAsync(http, h.Server.BaseAddress, CliHarness.Source, "app", child, credentials);
            }
        }

        string[] args = ["sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West];
        return (child, await h.RunAsync(dryRun ? [.. args, "--dry-run"] : args));
    }

    [Fact]
    public async Task Sync_without_archived_tags_says_nothing_of_them()
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(33), "v1");

        var run = await h.RunAsync("sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("1 image tag(s) selected in app (us-east-1) for us-west-2" + Environment.NewLine, run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("archived", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Repository_filter_selects_as_the_function_does()
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "team/app", CliHarness.Single(31), "v1");
        await h.PushAsync(CliHarness.Source, "sandbox/x", CliHarness.Single(32), "v1");
        await h.PushAsync(CliHarness.Source, "tmp/y", CliHarness.Single(33), "v1");

        var run = await h.RunAsync("sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--repository-filter", "*,!sandbox/*,!tmp/*");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.NotNull(await h.TagDigestAsync(CliHarness.West, "team/app", "v1"));
        Assert.Null(await h.TagDigestAsync(CliHarness.West, "sandbox/x", "v1"));
        Assert.Null(await h.TagDigestAsync(CliHarness.West, "tmp/y", "v1"));
    }

    [Fact]
    public async Task Repository_is_repeatable()
    {
        await using var h = await CliHarness.StartAsync();
        foreach (var (name, seed) in new[] { ("aa", 21UL), ("bb", 22UL), ("cc", 23UL) })
        {
            await h.PushAsync(CliHarness.Source, name, CliHarness.Single(seed), "v1");
        }

        var run = await h.RunAsync("sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--repository", "aa", "--repository", "cc");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.NotNull(await h.TagDigestAsync(CliHarness.West, "aa", "v1"));
        Assert.Null(await h.TagDigestAsync(CliHarness.West, "bb", "v1"));
        Assert.NotNull(await h.TagDigestAsync(CliHarness.West, "cc", "v1"));
    }

    [Fact]
    public async Task Since_in_the_future_selects_nothing()
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(7), "v1");

        var run = await h.RunAsync("sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--since", "2999-01-01");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("0 image tag(s) selected", run.Output, StringComparison.Ordinal);
        Assert.Equal(0, h.WritesTo(CliHarness.West));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_selection_that_matches_no_repository_exits_2_as_verify_does(bool dryRun)
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(8), "v1");
        string[] args = ["sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--repository-prefix", "apps/"];

        var run = await h.RunAsync(dryRun ? [.. args, "--dry-run"] : args);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("no repository in us-east-1 matches the selection: nothing to sync", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, h.WritesTo(CliHarness.West));
    }

    [Fact]
    public async Task Dry_run_prints_the_plan_and_writes_nothing()
    {
        await using var h = await CliHarness.StartAsync();
        var image = CliHarness.Sample(8);
        await h.PushAsync(CliHarness.Source, "app", image, "v1");
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(9), "v2");
        Assert.Equal(0, (await h.RunAsync("copy", "app:v2", "--source-region", CliHarness.Source, "--destination-region", CliHarness.Europe)).ExitCode);
        h.Server.Calls.Reset();

        var run = await h.RunAsync("sync", "--dry-run", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--destination-region", CliHarness.Europe);

        Assert.True(run.ExitCode == 0, run.ToString());
        run.AssertNoAnsi();
        Assert.Equal(0, h.WritesTo(CliHarness.West));
        Assert.Equal(0, h.WritesTo(CliHarness.Europe));
        Assert.Contains("nothing written", run.Output, StringComparison.Ordinal);
        Assert.Contains("create repository, copy", run.Output, StringComparison.Ordinal);
        Assert.Contains("up to date", run.Output, StringComparison.Ordinal);
        Assert.Contains("2 image(s), 3 destination(s) to write", run.Output, StringComparison.Ordinal);
        Assert.Contains(Replicator.Cli.Output.Format.Bytes(image.TotalBlobBytes), run.Output, StringComparison.Ordinal);
        Assert.Null(await h.TagDigestAsync(CliHarness.West, "app", "v1"));
    }

    /// <summary>
    /// <c>sync --dry-run</c> honours <c>--parallel</c>: LocalEcr holds the source's BatchGetImage answers, and all three
    /// images' reads are held at once, which a plan made one image at a time (as before) never reaches: it waits for the
    /// first answer before asking the second. The rows still come in the listing's order, though the first image's
    /// answer is held longest.
    /// </summary>
    [Fact]
    public async Task Dry_run_plans_parallel_images_at_once_and_writes_their_rows_in_the_listings_order()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await CliHarness.StartAsync(time);
        await PushTagsAsync(h, firstSeed: 91, "a", "b", "c");
        h.Server.Faults.DelayResponses("BatchGetImage", TimeSpan.FromSeconds(60), 1, CliHarness.Source);
        h.Server.Faults.DelayResponses("BatchGetImage", TimeSpan.FromSeconds(30), 2, CliHarness.Source);

        var planning = h.RunAsync("sync", "--dry-run", "--parallel", "3", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);
        await h.Server.Faults.TimersArmedAsync(3).WaitAsync(TimeSpan.FromMinutes(1));
        time.Advance(TimeSpan.FromSeconds(60));
        var run = await planning;

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(3, h.Server.Calls.Count(CliHarness.Source, "BatchGetImage"));
        var rows = run.Output.Split('\n').Where(l => l.Contains("copy", StringComparison.Ordinal) && l.Contains(CliHarness.West, StringComparison.Ordinal)).ToList();
        Assert.Equal(["a", "b", "c"], rows.Select(r => r.Split('│', StringSplitOptions.TrimEntries)[2]));
        Assert.Contains("3 image(s), 3 destination(s) to write", run.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// A tag deleted in the source after the listing selected it, before its plan reads it: the plan says so in a row
    /// of its own ("source image gone", as sync skips such a stale image) and counts nothing to write for it, rather
    /// than failing the plan or promising a copy the sync would not make. LocalEcr holds the listing's answer while the
    /// tag is deleted.
    /// </summary>
    [Fact]
    public async Task Dry_run_of_a_tag_deleted_after_the_listing_says_the_source_image_is_gone()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await CliHarness.StartAsync(time);
        await PushTagsAsync(h, firstSeed: 611, "a");
        h.Server.Faults.DelayResponses("DescribeImages", TimeSpan.FromMinutes(1), 1, CliHarness.Source);

        var planning = h.RunAsync("sync", "--dry-run", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);
        await h.Server.Faults.TimersArmedAsync().WaitAsync(TimeSpan.FromMinutes(1));
        await h.DeleteTagAsync(CliHarness.Source, "app", "a");
        time.Advance(TimeSpan.FromMinutes(1));
        var run = await planning.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(run.ExitCode == 0, run.ToString());
        var row = Assert.Single(run.Output.Split('\n'), l => l.Contains("│ app ", StringComparison.Ordinal));
        Assert.Contains("│ source image gone ", row, StringComparison.Ordinal);
        Assert.Contains("1 image(s), 0 destination(s) to write, 0 B to copy", run.Output, StringComparison.Ordinal);
        Assert.Equal(0, h.WritesTo(CliHarness.West));
    }

    /// <summary>
    /// A repository with more images than <c>--parallel</c>: the plan's window is full before the listing ends, so each
    /// image waits for the oldest one's rows to be written before it starts. Every image still gets its row, in the
    /// listing's order, and the closing line counts them all; none is planned and dropped when the window moves on.
    /// </summary>
    [Fact]
    public async Task Dry_run_with_more_images_than_parallel_writes_a_row_for_each_in_the_listings_order()
    {
        await using var h = await CliHarness.StartAsync();
        await PushTagsAsync(h, firstSeed: 601, "a", "b", "c", "d");

        var run = await h.RunAsync("sync", "--dry-run", "--parallel", "1", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.True(run.ExitCode == 0, run.ToString());
        var rows = run.Output.Split('\n').Where(l => l.Contains("copy", StringComparison.Ordinal) && l.Contains(CliHarness.West, StringComparison.Ordinal)).ToList();
        Assert.Equal(["a", "b", "c", "d"], rows.Select(r => r.Split('│', StringSplitOptions.TrimEntries)[2]));
        Assert.Contains("4 image(s), 4 destination(s) to write", run.Output, StringComparison.Ordinal);
        Assert.Equal(4, h.Server.Calls.Count(CliHarness.Source, "BatchGetImage"));
    }

    /// <summary>
    /// A read that fails while images are planned at once stops the plan with its error, as it did one image at a
    /// time: the first BatchGetImage to reach LocalEcr is refused, whichever image's it is, while the other two are held
    /// for an hour, and the command returns exit 2 naming the refusal once the held reads are stopped, writing no row
    /// (before the first image to fail stopped the others, an image ahead of it in the listing was awaited to its answer).
    /// </summary>
    [Fact]
    public async Task A_failed_read_among_images_planned_at_once_stops_the_dry_run_with_its_error()
    {
        await using var h = await CliHarness.StartAsync();
        await PushTagsAsync(h, firstSeed: 94, "a", "b", "c");
        h.Server.Faults.FailNext("BatchGetImage", 1, "AccessDeniedException", region: CliHarness.Source, message: "no pull for you");
        h.Server.Faults.DelayResponses("BatchGetImage", TimeSpan.FromHours(1), 2, CliHarness.Source);

        var run = await h.RunAsync("sync", "--dry-run", "--parallel", "3", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("AccessDeniedException", run.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("│ a ", run.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// A later image that fails while the first one is still being planned stops the first, and the plan ends with the
    /// later one's error, not with the stop. The test above cannot pin this: LocalEcr refuses whichever BatchGetImage
    /// arrives first, nearly always the first image's, so the plan failed on the image it awaited, and the test passed
    /// with the hand-over of the error removed, and with the stop removed. Here the two images take different reads:
    /// only the index "a" reads its platform manifests in the destination (a BatchGetImage there, held on a clock that
    /// never moves, so "a" can only end by being stopped), and only the single image "b" reaches
    /// BatchCheckLayerAvailability first, which is refused. Without the stop the run never returns; without the
    /// hand-over it ends with "a"'s OperationCanceledException.
    /// </summary>
    [Fact]
    public async Task A_later_image_failing_while_the_first_is_held_ends_the_dry_run_with_the_later_ones_error()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await CliHarness.StartAsync(time);
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Sample(97), "a");
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(98), "b");
        await h.PushAsync(CliHarness.West, "app", CliHarness.Single(99), "other");
        h.Server.Faults.DelayResponses("BatchGetImage", TimeSpan.FromHours(1), 1, CliHarness.West);
        h.Server.Faults.FailNext("BatchCheckLayerAvailability", 1, "AccessDeniedException", region: CliHarness.West, message: "no check for you");
        h.Server.Calls.Reset();

        var run = await h.RunAsync("sync", "--dry-run", "--parallel", "2", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West)
            .WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("no check for you", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("OperationCanceledException", run.Error, StringComparison.Ordinal);

        // "a" never got past its held read: the one layer check is "b"'s.
        Assert.Equal(1, h.Server.Calls.Count(CliHarness.West, "BatchCheckLayerAvailability"));
    }

    /// <summary>
    /// The plan's closing line adds up every destination's bytes, and each row's "Blobs to copy" is the blobs that
    /// destination lacks, apart from those already there.
    /// </summary>
    [Fact]
    public async Task Dry_run_counts_the_bytes_of_every_destination_and_the_blobs_each_lacks()
    {
        await using var h = await CliHarness.StartAsync();
        var image = CliHarness.Single(12);
        await h.PushAsync(CliHarness.Source, "app", image, "v1");

        var run = await h.RunAsync("sync", "--dry-run", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--destination-region", CliHarness.Europe);

        Assert.True(run.ExitCode == 0, run.ToString());
        var blobs = image.Blobs.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var bytes = System.Text.RegularExpressions.Regex.Escape(Replicator.Cli.Output.Format.Bytes(image.TotalBlobBytes));
        foreach (var region in new[] { CliHarness.West, CliHarness.Europe })
        {
            Assert.Matches($@"app\s+│ v1\s+│ sha256:\w{{12}}\s+│ {region}\s+│ create repository, copy\s+│ {blobs}\s+│ {bytes}\s+│ 0 blobs, 0 manifests", run.Output);
        }

        Assert.Contains($"1 image(s), 2 destination(s) to write, {Replicator.Cli.Output.Format.Bytes(2 * image.TotalBlobBytes)} to copy", run.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// A destination that already holds an image's blobs (a push cut short before its manifest) is planned as a copy
    /// of the manifest alone: the "Already there" column counts those blobs as blobs and no manifest.
    /// </summary>
    [Fact]
    public async Task Dry_run_counts_the_blobs_a_destination_already_holds_apart_from_its_manifests()
    {
        await using var h = await CliHarness.StartAsync();
        var image = CliHarness.Single(17);
        await h.PushAsync(CliHarness.Source, "app", image, "v1");
        await h.PushAsync(CliHarness.West, "app", new Replicator.Samples.SampleImage(image.Blobs, []), tag: null);

        var run = await h.RunAsync("sync", "--dry-run", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.True(run.ExitCode == 0, run.ToString());
        var zero = System.Text.RegularExpressions.Regex.Escape(Replicator.Cli.Output.Format.Bytes(0));
        Assert.Matches($@"app\s+│ v1\s+│ sha256:\w{{12}}\s+│ {CliHarness.West}\s+│ copy\s+│ 0\s+│ {zero}\s+│ {image.Blobs.Count} blobs, 0 manifests", run.Output);
    }

    [Fact]
    public async Task A_failed_destination_makes_the_exit_code_non_zero()
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(10), "v1");
        h.Server.Faults.FailNext("PutImage", 100, "ImageTagAlreadyExistsException", region: CliHarness.West);

        var run = await h.RunAsync("sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--destination-region", CliHarness.Europe);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("FAILED", run.Output, StringComparison.Ordinal);
        Assert.Contains("1 failed", run.Output, StringComparison.Ordinal);
        Assert.NotNull(await h.TagDigestAsync(CliHarness.Europe, "app", "v1"));
    }

    [Fact]
    public async Task On_a_terminal_progress_is_live_and_coloured_and_the_copy_still_completes()
    {
        await using var h = await CliHarness.StartAsync();
        var image = CliHarness.Sample(11);
        await h.PushAsync(CliHarness.Source, "app", image, "v1");

        var run = await h.RunWithAsync(h.Environment(), null, terminal: true, "sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(image.Digest, await h.TagDigestAsync(CliHarness.West, "app", "v1"));
        // The image's line is written above the bars as it finishes (coloured, so read with the escapes taken out),
        // then the summary line; an image that is done is not repeated in a table.
        var text = System.Text.RegularExpressions.Regex.Replace(run.Output, @"\x1b\[[0-9;?]*[A-Za-z]", string.Empty);
        Assert.Contains("\u001b[", run.Output, StringComparison.Ordinal);
        Assert.Contains("copied     app:v1 -> us-west-2  sha256:", text, StringComparison.Ordinal);
        Assert.Contains("Summary: 1 image(s), 1 copied", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Not done", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dry_run_shows_a_tag_move_when_the_destination_already_holds_the_image()
    {
        await using var h = await CliHarness.StartAsync();
        var image = CliHarness.Single(41);
        await h.PushAsync(CliHarness.Source, "app", image, "v2");
        Assert.Equal(0, (await h.RunAsync("sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West)).ExitCode);
        await h.PushAsync(CliHarness.Source, "app", image, "v1");
        h.Server.Calls.Reset();

        var run = await h.RunAsync("sync", "--dry-run", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(0, h.WritesTo(CliHarness.West));
        Assert.Matches(@"app\s+│ v1\s+│ sha256:\w{12}\s+│ us-west-2\s+│ move tag\s+│ 0\s+│ 0 B", run.Output);
        Assert.Matches(@"app\s+│ v2\s+│ sha256:\w{12}\s+│ us-west-2\s+│ up to date", run.Output);
    }

    [Fact]
    public async Task Dry_run_names_the_immutable_tag_conflict_the_copy_would_fail_on()
    {
        await using var h = await CliHarness.StartAsync();
        await h.Client(CliHarness.West).CreateRepositoryAsync(new CreateRepositoryRequest { RepositoryName = "app", ImageTagMutability = ImageTagMutability.Immutable });
        var theirs = CliHarness.Single(61);
        await h.PushAsync(CliHarness.West, "app", theirs, "v1");
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(62), "v1");
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(63), "v2");
        h.Server.Calls.Reset();
        string[] args = ["sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West];

        var dryRun = await h.RunAsync([.. args, "--dry-run"]);

        // The copy uploads every blob and child of the image, then PutImage refuses the tag: the plan says so first,
        // and exits 1 as the copy does; the other tag is planned as before.
        Assert.True(dryRun.ExitCode == 1, dryRun.ToString());
        Assert.Equal(0, h.WritesTo(CliHarness.West));
        Assert.Matches(@"app\s+│ v1\s+│ sha256:\w{12}\s+│ us-west-2\s+│ ImmutableTagConflict", dryRun.Output);
        Assert.Contains(theirs.Digest, dryRun.Output, StringComparison.Ordinal);
        Assert.Matches(@"app\s+│ v2\s+│ sha256:\w{12}\s+│ us-west-2\s+│ copy", dryRun.Output);
        Assert.Contains("2 image(s), 1 destination(s) to write", dryRun.Output, StringComparison.Ordinal);
        Assert.Contains("1 immutable tag conflict(s)", dryRun.Output, StringComparison.Ordinal);

        var copy = await h.RunAsync(args);

        Assert.True(copy.ExitCode == 1, copy.ToString());
        Assert.Contains("ImmutableTagConflict", copy.Output, StringComparison.Ordinal);
        Assert.Equal(theirs.Digest, await h.TagDigestAsync(CliHarness.West, "app", "v1"));
    }

    [Fact]
    public async Task A_kms_encrypted_source_is_created_in_a_new_destination_with_the_key_of_DESTINATION_KMS_KEYS()
    {
        await using var h = await CliHarness.StartAsync();
        await h.Client(CliHarness.Source).CreateRepositoryAsync(new CreateRepositoryRequest
        {
            RepositoryName = "kms",
            EncryptionConfiguration = new EncryptionConfiguration { EncryptionType = EncryptionType.Kms, KmsKey = "arn:aws:kms:us-east-1:000000000000:key/5a5a5a5a-1111-4111-8111-111111111111" },
        });
        var image = CliHarness.Single(51);
        await h.PushAsync(CliHarness.Source, "kms", image, "v1");
        string[] args = ["sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West];

        var without = await h.RunAsync(args);

        Assert.True(without.ExitCode == 1, without.ToString());
        Assert.Contains("KmsKeyNotConfigured", without.Output, StringComparison.Ordinal);

        const string Key = "arn:aws:kms:us-west-2:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        var run = await h.RunWithAsync(h.Environment(("DESTINATION_KMS_KEYS", $"{CliHarness.West}={Key}")), null, args);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(image.Digest, await h.TagDigestAsync(CliHarness.West, "kms", "v1"));
        var created = (await h.Client(CliHarness.West).DescribeRepositoriesAsync(new DescribeRepositoriesRequest { RepositoryNames = ["kms"] })).Repositories!.Single();
        Assert.Equal(EncryptionType.Kms, created.EncryptionConfiguration?.EncryptionType);
        Assert.Equal(Key, created.EncryptionConfiguration?.KmsKey);
    }

    /// <summary>
    /// A dry run into a destination without the repository, of a KMS-encrypted source, with no DESTINATION_KMS_KEYS entry
    /// for that destination: the copy would fail there with KmsKeyNotConfigured, so the plan says so instead of
    /// "create repository, copy", and exits 1 as the copy does; with the key it plans the creation.
    /// </summary>
    [Fact]
    public async Task Dry_run_names_the_missing_KMS_key_the_repository_creation_would_fail_on()
    {
        await using var h = await CliHarness.StartAsync();
        await h.Client(CliHarness.Source).CreateRepositoryAsync(new CreateRepositoryRequest
        {
            RepositoryName = "kms",
            EncryptionConfiguration = new EncryptionConfiguration { EncryptionType = EncryptionType.Kms, KmsKey = "arn:aws:kms:us-east-1:000000000000:key/5a5a5a5a-1111-4111-8111-111111111111" },
        });
        await h.PushAsync(CliHarness.Source, "kms", CliHarness.Single(53), "v1");
        await h.PushAsync(CliHarness.Source, "plain", CliHarness.Single(54), "v1");
        string[] args = ["sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--dry-run"];

        var without = await h.RunAsync(args);

        Assert.True(without.ExitCode == 1, without.ToString());
        Assert.Equal(0, h.WritesTo(CliHarness.West));
        Assert.Matches(@"kms\s+│ v1\s+│ sha256:\w{12}\s+│ us-west-2\s+│ KmsKeyNotConfigured", without.Output);
        Assert.Matches(@"plain\s+│ v1\s+│ sha256:\w{12}\s+│ us-west-2\s+│ create repository, copy", without.Output);
        Assert.Contains("2 image(s), 1 destination(s) to write", without.Output, StringComparison.Ordinal);
        Assert.Contains("1 destination(s) without a KMS key", without.Output, StringComparison.Ordinal);

        const string Key = "arn:aws:kms:us-west-2:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        var with = await h.RunWithAsync(h.Environment(("DESTINATION_KMS_KEYS", $"{CliHarness.West}={Key}")), null, args);

        Assert.True(with.ExitCode == 0, with.ToString());
        Assert.Matches(@"kms\s+│ v1\s+│ sha256:\w{12}\s+│ us-west-2\s+│ create repository, copy", with.Output);
        Assert.Equal(0, h.WritesTo(CliHarness.West));
    }

    [Theory]
    [InlineData("us-west-2", null, "must be REGION=KEY_ID_OR_ARN")]

    // The key is checked as the function checks it: ECR takes a key of the repository's own region only.
    [InlineData("us-west-2=arn:aws:kms:eu-west-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab", null, "the key is in region eu-west-1, not us-west-2")]
    [InlineData("us-west-2=west", null, "the key must be a key id")]
    [InlineData("eu-west-1=west", "us-west-2", "the key must be a key id")]
    public async Task A_bad_DESTINATION_KMS_KEYS_is_a_usage_error_naming_the_variable(string value, string? destinationRegions, string problem)
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(52), "v1");
        var environment = destinationRegions is null
            ? h.Environment(("DESTINATION_KMS_KEYS", value))
            : h.Environment(("DESTINATION_KMS_KEYS", value), ("DESTINATION_REGIONS", destinationRegions));

        var run = await h.RunWithAsync(environment, null, "sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("DESTINATION_KMS_KEYS", run.Error, StringComparison.Ordinal);
        Assert.Contains(problem, run.Error, StringComparison.Ordinal);
        Assert.Equal(0, h.WritesTo(CliHarness.West));
    }

    /// <summary>One single-layer image per tag in repository <c>app</c> of the source, seeded from <paramref name="firstSeed"/> on.</summary>
    private static async Task PushTagsAsync(CliHarness h, ulong firstSeed, params string[] tags)
    {
        for (var i = 0; i < tags.Length; i++)
        {
            await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(firstSeed + (ulong)i), tags[i]);
        }
    }
}
