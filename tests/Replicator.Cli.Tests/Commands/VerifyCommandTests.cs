using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Replicator.Cli.Tests.Support;
using Replicator.Core.Signing;
using Replicator.Samples;
using Replicator.Testing;

namespace Replicator.Cli.Tests.Commands;

public sealed class VerifyCommandTests
{
    private static readonly string[] Regions = ["--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--destination-region", CliHarness.Europe];

    private static async Task<CliHarness> SyncedAsync()
    {
        var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Sample(1), "v1");
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(2), "v2");
        var sync = await h.RunAsync(["sync", .. Regions]);
        Assert.True(sync.ExitCode == 0, sync.ToString());
        return h;
    }

    [Fact]
    public async Task In_sync_exits_zero()
    {
        await using var h = await SyncedAsync();

        var run = await h.RunAsync(["verify", .. Regions]);

        Assert.True(run.ExitCode == 0, run.ToString());
        run.AssertNoAnsi();
        Assert.Contains("in sync: 4 tag(s) checked", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_listed_repository_deleted_before_its_images_are_read_is_left_out_of_the_check()
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "alpha", CliHarness.Single(11), "v1");
        await h.PushAsync(CliHarness.Source, "beta", CliHarness.Single(12), "v1");
        Assert.Equal(0, (await h.RunAsync(["sync", .. Regions])).ExitCode);
        h.Server.Faults.FailNext("DescribeImages", 1, "RepositoryNotFoundException", region: CliHarness.Source);

        var run = await h.RunAsync(["verify", .. Regions]);

        // One repository's tag, in both destinations.
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("in sync: 2 tag(s) checked", run.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// A repository named with --repository that is deleted after the check that it exists, before its images are
    /// read, is the error it would have been at the check (exit 2, "does not exist"), as in sync: left out quietly,
    /// as an unnamed one is, the run would report "in sync" over nothing for the one repository asked about. LocalEcr
    /// holds the check's DescribeImages, and the listing's, which comes next, answers as ECR does once it is gone.
    /// </summary>
    [Fact]
    public async Task A_named_repository_deleted_after_the_check_is_an_error_not_left_out()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await CliHarness.StartAsync(time);
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(75), "v1");

        var run = await h.RunWithRepositoryDeletedAfterItsCheckAsync(time, ["verify", "--repository", "app", .. Regions]);

        Assert.True(run.ExitCode == 2, run.ToString());
        run.AssertOneLineError("repository app does not exist in us-east-1");
        Assert.DoesNotContain("in sync", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Repository_filter_leaves_unselected_repositories_out_of_the_check()
    {
        await using var h = await SyncedAsync();
        await h.PushAsync(CliHarness.Source, "sandbox/x", CliHarness.Single(7), "v1");

        var all = await h.RunAsync(["verify", .. Regions]);
        var filtered = await h.RunAsync(["verify", "--repository-filter", "*,!sandbox/*", .. Regions]);

        Assert.True(all.ExitCode == 1, all.ToString());
        Assert.True(filtered.ExitCode == 0, filtered.ToString());
        Assert.Contains("in sync: 4 tag(s) checked", filtered.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--repository-filter", "nosuch/*")]
    [InlineData("--repository-prefix", "nosuch")]
    public async Task A_selection_that_matches_no_repository_is_an_error_not_in_sync(string option, string value)
    {
        await using var h = await SyncedAsync();

        var run = await h.RunAsync(["verify", option, value, .. Regions]);

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError($"no repository in {CliHarness.Source} matches the selection: nothing to verify");
    }

    [Fact]
    public async Task Drift_is_reported_as_missing_different_and_extra_and_exits_one()
    {
        await using var h = await SyncedAsync();
        await h.DeleteTagAsync(CliHarness.West, "app", "v1");
        await h.PushAsync(CliHarness.Europe, "app", CliHarness.Single(3), "v2");
        await h.PushAsync(CliHarness.Europe, "app", CliHarness.Single(4), "stray");

        var run = await h.RunAsync(["verify", .. Regions]);

        Assert.True(run.ExitCode == 1, run.ToString());
        run.AssertNoAnsi();
        Assert.Contains("drift: 1 missing, 1 different, 1 extra of 5", run.Output, StringComparison.Ordinal);
        Assert.Matches(@"app\s+│ v1\s+│ us-west-2\s+│ sha256:\w{12}\s+│ -\s+│ missing", run.Output);
        Assert.Matches(@"app\s+│ stray\s+│ eu-west-1\s+│ -\s+│ sha256:\w{12}\s+│ extra", run.Output);
    }

    [Fact]
    public async Task Json_output_parses_and_names_every_entry_with_full_digests()
    {
        await using var h = await SyncedAsync();
        await h.DeleteTagAsync(CliHarness.West, "app", "v2");
        var expected = await h.TagDigestAsync(CliHarness.Source, "app", "v2");

        var run = await h.RunAsync(["verify", "--json", .. Regions]);

        Assert.True(run.ExitCode == 1, run.ToString());
        using var document = JsonDocument.Parse(run.Output);
        var root = document.RootElement;
        Assert.False(root.GetProperty("inSync").GetBoolean());
        Assert.Equal(1, root.GetProperty("missing").GetInt32());
        var entries = root.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(4, entries.Count);
        var missing = Assert.Single(entries, e => e.GetProperty("status").GetString() == "Missing");
        Assert.Equal("v2", missing.GetProperty("tag").GetString());
        Assert.Equal(CliHarness.West, missing.GetProperty("destination").GetString());
        Assert.Equal(expected, missing.GetProperty("sourceDigest").GetString());
        Assert.Equal(JsonValueKind.Null, missing.GetProperty("destinationDigest").ValueKind);
    }

    [Fact]
    public async Task An_archived_source_image_is_still_the_sources_and_its_replica_in_sync()
    {
        await using var h = await SyncedAsync();
        var v1 = await h.TagDigestAsync(CliHarness.Source, "app", "v1");
        await ArchiveAsync(h, CliHarness.Source, v1!);

        var table = await h.RunAsync(["verify", .. Regions]);
        var json = await h.RunAsync(["verify", "--json", .. Regions]);

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Matches(@"app\s+│ v1\s+│ us-west-2\s+│ sha256:\w{12}\s+│ sha256:\w{12}\s+│ in sync, source archived", table.Output);
        Assert.Contains("in sync: 4 tag(s) checked", table.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("not replicated", table.Output, StringComparison.Ordinal);
        Assert.True(json.ExitCode == 0, json.ToString());
        using var document = JsonDocument.Parse(json.Output);
        var v1Entries = document.RootElement.GetProperty("entries").EnumerateArray().Where(e => e.GetProperty("tag").GetString() == "v1").ToList();
        Assert.Equal(2, v1Entries.Count);
        Assert.All(v1Entries, e =>
        {
            Assert.Equal("InSync", e.GetProperty("status").GetString());
            Assert.Equal("ARCHIVED", e.GetProperty("sourceImageStatus").GetString());
            Assert.False(e.TryGetProperty("destinationImageStatus", out _));
        });
    }

    [Fact]
    public async Task An_archived_source_image_without_a_replica_is_reported_as_archived_not_replicated_and_is_not_drift()
    {
        await using var h = await SyncedAsync();
        var cold = await PushArchivedAsync(h, "cold");

        var table = await h.RunAsync(["verify", .. Regions]);
        var json = await h.RunAsync(["verify", "--json", .. Regions]);

        Assert.True(table.ExitCode == 0, table.ToString());
        table.AssertNoAnsi();
        Assert.Matches(@"app\s+│ cold\s+│ us-west-2\s+│ sha256:\w{12}\s+│ -\s+│ archived, not replicated", table.Output);
        Assert.Matches(@"app\s+│ cold\s+│ eu-west-1\s+│ sha256:\w{12}\s+│ -\s+│ archived, not replicated", table.Output);
        Assert.Contains("in sync: 4 tag(s) checked; 2 archived, not replicated (restore them to copy)", table.Output, StringComparison.Ordinal);
        Assert.True(json.ExitCode == 0, json.ToString());
        using var document = JsonDocument.Parse(json.Output);
        var root = document.RootElement;
        Assert.True(root.GetProperty("inSync").GetBoolean());
        Assert.Equal(2, root.GetProperty("archivedNotReplicated").GetInt32());
        Assert.Equal(0, root.GetProperty("missing").GetInt32());
        var coldEntries = root.GetProperty("entries").EnumerateArray().Where(e => e.GetProperty("tag").GetString() == "cold").ToList();
        Assert.Equal([CliHarness.West, CliHarness.Europe], coldEntries.Select(e => e.GetProperty("destination").GetString()));
        Assert.All(coldEntries, e =>
        {
            Assert.Equal("ArchivedNotReplicated", e.GetProperty("status").GetString());
            Assert.Equal(cold.Digest, e.GetProperty("sourceDigest").GetString());
            Assert.Equal(JsonValueKind.Null, e.GetProperty("destinationDigest").ValueKind);
            Assert.Equal("ARCHIVED", e.GetProperty("sourceImageStatus").GetString());
        });
    }

    /// <summary>
    /// An archived image's referrers (an SBOM pushed by digest, still active) are not compared: nothing copies them (sync
    /// skips the archived image, and a referrer is copied with its subject), so reading them "missing" in every
    /// destination would be drift no sync could heal.
    /// </summary>
    [Fact]
    public async Task The_referrers_of_an_archived_source_image_are_not_compared()
    {
        await using var h = await SyncedAsync();
        var builder = new SampleImageBuilder(seed: 9);
        var cold = builder.Image(SampleFormat.Oci, [512]);
        await h.PushAsync(CliHarness.Source, "app", cold, "cold");
        await h.PushAsync(CliHarness.Source, "app", builder.Artifact(cold.Root), null);
        await ArchiveAsync(h, CliHarness.Source, cold.Digest);

        var run = await h.RunAsync(["verify", .. Regions]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("in sync: 4 tag(s) checked; 2 archived, not replicated (restore them to copy)", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("missing", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Archived_not_replicated_is_counted_beside_drift_which_still_exits_one()
    {
        await using var h = await SyncedAsync();
        await PushArchivedAsync(h, "cold");
        await h.DeleteTagAsync(CliHarness.West, "app", "v1");

        var run = await h.RunAsync(["verify", .. Regions]);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("drift: 1 missing, 0 different, 0 extra of 6; 2 archived, not replicated", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_archived_replica_is_held_not_missing()
    {
        await using var h = await SyncedAsync();
        var v2 = await h.TagDigestAsync(CliHarness.West, "app", "v2");
        await ArchiveAsync(h, CliHarness.West, v2!);

        var table = await h.RunAsync(["verify", .. Regions]);
        var json = await h.RunAsync(["verify", "--json", .. Regions]);

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Matches(@"app\s+│ v2\s+│ us-west-2\s+│ sha256:\w{12}\s+│ sha256:\w{12}\s+│ in sync, destination archived", table.Output);
        using var document = JsonDocument.Parse(json.Output);
        var archived = Assert.Single(document.RootElement.GetProperty("entries").EnumerateArray(), e => e.TryGetProperty("destinationImageStatus", out _));
        Assert.Equal(("v2", CliHarness.West, "ARCHIVED"), (archived.GetProperty("tag").GetString(), archived.GetProperty("destination").GetString(), archived.GetProperty("destinationImageStatus").GetString()));
    }

    [Fact]
    public async Task A_destination_without_the_repository_reports_every_tag_missing()
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(5), "v1");

        var run = await h.RunAsync("verify", "--json", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.Equal(1, run.ExitCode);
        using var document = JsonDocument.Parse(run.Output);
        Assert.Equal("Missing", Assert.Single(document.RootElement.GetProperty("entries").EnumerateArray()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_ECR_error_exits_two()
    {
        // An error that says nothing of the destination's access stops the check. A destination that denies the calls
        // (AccessDeniedException) is reported unreadable instead, the others still compared (VerifyUnreadableDestinationTests).
        await using var h = await SyncedAsync();
        h.Server.Faults.FailNext("DescribeImages", 100, "InvalidParameterException", region: CliHarness.West);

        var run = await h.RunAsync(["verify", .. Regions]);

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError("error: DescribeImages: InvalidParameterException: ");
        Assert.DoesNotContain("InvalidParameterException: DescribeImages", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Throttled_reads_in_the_source_and_a_destination_are_retried_and_the_check_passes()
    {
        await using var h = await SyncedAsync();
        h.Server.Faults.FailNext("DescribeImages", 2, "ThrottlingException", region: CliHarness.Source);
        h.Server.Faults.FailNext("DescribeImages", 2, "ThrottlingException", region: CliHarness.West);
        h.Server.Calls.Reset();
        var clock = new WaitsElapseAtOnceClock();

        var run = await h.RunOnAsync(clock, ["verify", .. Regions]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("in sync: 4 tag(s) checked", run.Output, StringComparison.Ordinal);
        // Each throttled read was answered by a wait of the engine's backoff on the CLI's clock, then tried again.
        Assert.Equal(4, clock.Waits.Count);
        Assert.True(h.Server.Calls.Count(CliHarness.Source, "DescribeImages") >= 3, "the source read was retried");
        Assert.True(h.Server.Calls.Count(CliHarness.West, "DescribeImages") >= 3, "the destination read was retried");
    }

    [Fact]
    public async Task Since_limits_what_is_expected_and_older_tags_in_a_destination_are_not_extra()
    {
        // LocalEcr's clock is moved by hand, so the two pushes are a second apart without waiting for one.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await CliHarness.StartAsync(time);
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(31), "old");
        var since = await h.SinceJustAfterAsync(CliHarness.Source, "app", "old");
        time.Advance(TimeSpan.FromSeconds(1));
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(32), "new");
        string[] selection = ["--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--since", since];

        var sync = await h.RunAsync(["sync", .. selection]);
        Assert.True(sync.ExitCode == 0, sync.ToString());
        Assert.Null(await h.TagDigestAsync(CliHarness.West, "app", "old"));
        Assert.Equal(0, (await h.RunAsync(["verify", .. selection])).ExitCode);

        Assert.Equal(0, (await h.RunAsync("copy", "app:old", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West)).ExitCode);
        var run = await h.RunAsync(["verify", "--json", .. selection]);

        Assert.True(run.ExitCode == 0, run.ToString());
        using var document = JsonDocument.Parse(run.Output);
        Assert.Equal("new", Assert.Single(document.RootElement.GetProperty("entries").EnumerateArray()).GetProperty("tag").GetString());
    }

    /// <summary>
    /// --since narrows what the source is expected to hold, not what the destination is read for: a tag only the
    /// destination holds is extra however long ago it was pushed there.
    /// </summary>
    [Fact]
    public async Task A_tag_only_the_destination_holds_is_extra_even_when_pushed_there_before_since()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await CliHarness.StartAsync(time);
        await h.PushAsync(CliHarness.West, "app", CliHarness.Single(33), "stale");
        var since = await h.SinceJustAfterAsync(CliHarness.West, "app", "stale");
        time.Advance(TimeSpan.FromSeconds(1));
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(34), "new");
        string[] selection = ["--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--since", since];
        Assert.Equal(0, (await h.RunAsync(["sync", .. selection])).ExitCode);

        var run = await h.RunAsync(["verify", "--json", .. selection]);

        Assert.True(run.ExitCode == 1, run.ToString());
        using var document = JsonDocument.Parse(run.Output);
        var entries = document.RootElement.GetProperty("entries").EnumerateArray().ToDictionary(e => e.GetProperty("tag").GetString()!, e => e.GetProperty("status").GetString());
        Assert.Equal("InSync", entries["new"]);
        Assert.Equal("Extra", entries["stale"]);
    }

    /// <summary>A source image archived before any copy: nothing can copy it until it is restored.</summary>
    private static async Task<SampleImage> PushArchivedAsync(CliHarness h, string tag)
    {
        var image = CliHarness.Single(8);
        await h.PushAsync(CliHarness.Source, "app", image, tag);
        await ArchiveAsync(h, CliHarness.Source, image.Digest);
        return image;
    }

    private static async Task ArchiveAsync(CliHarness h, string region, string digest)
    {
        using var http = new HttpClient();
        await EcrArchiver.ArchiveAsync(http, h.Server.BaseAddress, region, "app", digest, new AwsCredentials(CliHarness.AccessKey, CliHarness.SecretKey));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_destination_naming_the_source_account_and_region_is_refused_not_compared_with_the_source_itself(bool json)
    {
        // LocalEcr's default account is the source's: ACCOUNT:REGION is then the source registry itself, which the
        // function and the reconciler skip (ReplicationDestination.IsSource). Compared, it read "in sync" without a copy.
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(93), "v1");
        string[] args = ["verify", "--source-region", CliHarness.Source, "--destination-region", $"000000000000:{CliHarness.Source}"];

        var run = await h.RunAsync(json ? [.. args, "--json"] : args);

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError($"--destination-region 000000000000:{CliHarness.Source} is the source registry (account 000000000000 in {CliHarness.Source}): nothing is replicated into the source itself");
        Assert.Equal(string.Empty, run.Output);
    }

    [Fact]
    public async Task A_destination_naming_the_source_registry_is_refused_even_where_the_mapping_renames_every_repository()
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(94), "v1");

        var run = await h.RunAsync(["verify", "--source-region", CliHarness.Source, "--destination-region", $"000000000000:{CliHarness.Source}", "--repository-mapping", "=backup/"]);

        // The function never writes the source registry, so backup/app would read "missing" for good: refused as sync
        // and copy refuse it, before any output.
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("is the source registry", run.Error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Output);
    }
}
