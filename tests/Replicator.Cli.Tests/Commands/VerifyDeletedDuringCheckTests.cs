using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Replicator.Cli.Tests.Support;
using Replicator.Samples;

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

    /// <summary>
    /// A referrer with a selected tag of its own (an SBOM tagged "v1-sbom") is compared as that tag only. Deleting that
    /// tag in the source during the check leaves the manifest there when it keeps another tag outside the selection
    /// (ECR deletes an image with its last tag): still a referrer of v1, which sync copies with v1. The west, where
    /// REPLICATE_DELETES removed its only tag and so the manifest, lacks it; Europe, where it has another tag too, holds
    /// it. Before, the tag read <c>deleted in source during check</c> in both and nothing compared the referrer:
    /// verify read in sync (exit 0), while the next verify, the tag gone from its listing, found it missing in the west.
    /// </summary>
    [Fact]
    public async Task A_tagged_referrer_whose_tag_is_deleted_during_the_check_is_compared_as_a_referrer()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await CliHarness.StartAsync(time);
        var builder = new SampleImageBuilder(seed: 204);
        var image = builder.Image(SampleFormat.Oci, [1024]);
        var sbom = builder.Artifact(image.Root);
        await h.PushAsync(CliHarness.Source, "app", image, "v1");
        await h.PushAsync(CliHarness.Source, "app", sbom, "v1-sbom");
        await h.PushAsync(CliHarness.Source, "app", sbom, "keep-sbom");
        string[] regions = ["--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--destination-region", CliHarness.Europe, "--tag-filter", "v.*"];
        Assert.Equal(0, (await h.RunAsync(["sync", .. regions])).ExitCode);
        await h.PushAsync(CliHarness.Europe, "app", sbom, "keep-sbom");
        var listings = h.Server.Calls.Count(CliHarness.Source, "DescribeImages");

        var run = await HeldSourceListing.VerifyWhileAsync(
            h,
            time,
            regions,
            async () =>
            {
                await h.DeleteTagAsync(CliHarness.Source, "app", "v1-sbom");
                await h.DeleteTagAsync(CliHarness.West, "app", "v1-sbom");
                await h.DeleteTagAsync(CliHarness.Europe, "app", "v1-sbom");
            },
            "--json");

        Assert.True(run.ExitCode == 1, run.ToString());
        using var report = JsonDocument.Parse(run.Output);
        var entries = report.RootElement.GetProperty("entries").EnumerateArray().ToList();
        Assert.All(entries.Where(e => e.GetProperty("tag").GetString() == "v1-sbom"), e => Assert.Equal("DeletedDuringCheck", e.GetProperty("status").GetString()));
        var referrers = entries.Where(e => e.TryGetProperty("subjectDigest", out _))
            .Select(e => (e.GetProperty("destination").GetString(), e.GetProperty("tag").GetString(), e.GetProperty("sourceDigest").GetString(), e.GetProperty("subjectDigest").GetString(), e.GetProperty("status").GetString()))
            .Order();
        Assert.Equal([(CliHarness.Europe, "v1", sbom.Digest, image.Digest, "InSync"), (CliHarness.West, "v1", sbom.Digest, image.Digest, "Missing")], referrers);
        Assert.Equal((1, 2), (report.RootElement.GetProperty("missing").GetInt32(), report.RootElement.GetProperty("deletedDuringCheck").GetInt32()));

        // From the listing made again for the missing tag: the source listed twice, as for any tag deleted meanwhile.
        Assert.Equal(2, h.Server.Calls.Count(CliHarness.Source, "DescribeImages") - listings);

        // What the next verify says of it, the tag gone from the source's listing: the same referrer, missing in the west.
        var next = await h.RunAsync(["verify", .. regions]);
        Assert.True(next.ExitCode == 1, next.ToString());
        Assert.Contains("drift: 1 missing, 0 different, 0 extra of 4", next.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// A tag missing in a destination whose source repository is deleted during the check: the listing made again finds
    /// no repository (RepositoryNotFoundException), so the tag is gone from the source with it, deleted during the check
    /// as a tag deleted alone is, not drift, and the tags compared before stand.
    /// </summary>
    [Fact]
    public async Task A_missing_tag_whose_source_repository_is_deleted_during_the_check_is_reported_deleted()
    {
        var (h, time) = await SyncedAsync();
        await using var _ = h;
        await h.DeleteTagAsync(CliHarness.West, "app", "v1");
        var listings = h.Server.Calls.Count(CliHarness.Source, "DescribeImages");

        var run = await VerifyWhileAsync(h, time, () => h.DeleteRepositoryAsync(CliHarness.Source, "app"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("deleted in source during check", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("missing", run.Output, StringComparison.Ordinal);
        Assert.Contains("in sync: 1 tag(s) checked; 1 deleted in the source during the check", run.Output, StringComparison.Ordinal);
        // The first listing and the one made again for the missing tag, which found the repository gone.
        Assert.Equal(2, h.Server.Calls.Count(CliHarness.Source, "DescribeImages") - listings);
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
