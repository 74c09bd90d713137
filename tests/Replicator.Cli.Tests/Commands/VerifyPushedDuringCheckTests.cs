using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Replicator.Cli.Tests.Support;

namespace Replicator.Cli.Tests.Commands;

/// <summary>
/// A tag pushed to the source between its listing and the destination's, and already replicated there, as the
/// function does within seconds of a push. LocalEcr's clock holds the source's first listing while the pushes happen,
/// so the race is made without waiting. Before, the tag read "extra" in the destination and verify exited 1.
/// </summary>
public sealed class VerifyPushedDuringCheckTests
{
    private static readonly string[] Regions = ["--source-region", CliHarness.Source, "--destination-region", CliHarness.West];

    private static async Task<(CliHarness Harness, FakeTimeProvider Time)> SyncedAsync()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var h = await CliHarness.StartAsync(time);
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(211), "v1");
        Assert.Equal(0, (await h.RunAsync(["sync", .. Regions])).ExitCode);
        return (h, time);
    }

    private static Task<CliRun> VerifyWhileAsync(CliHarness h, FakeTimeProvider time, Func<Task> meanwhile, params string[] extra) =>
        HeldSourceListing.VerifyWhileAsync(h, time, Regions, meanwhile, extra);

    [Fact]
    public async Task A_tag_pushed_and_replicated_during_the_check_is_in_sync_not_extra()
    {
        var (h, time) = await SyncedAsync();
        await using var _ = h;
        var pushed = CliHarness.Single(212);

        var run = await VerifyWhileAsync(h, time, async () =>
        {
            await h.PushAsync(CliHarness.Source, "app", pushed, "v2");
            await h.PushAsync(CliHarness.West, "app", pushed, "v2");
        });

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.DoesNotContain("extra", run.Output, StringComparison.Ordinal);
        Assert.Contains("in sync: 2 tag(s) checked", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_json_the_entry_is_in_sync_at_the_source_s_current_digest()
    {
        var (h, time) = await SyncedAsync();
        await using var _ = h;
        var pushed = CliHarness.Single(213);

        var run = await VerifyWhileAsync(
            h,
            time,
            async () =>
            {
                await h.PushAsync(CliHarness.Source, "app", pushed, "v2");
                await h.PushAsync(CliHarness.West, "app", pushed, "v2");
            },
            "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        using var report = JsonDocument.Parse(run.Output);
        Assert.True(report.RootElement.GetProperty("inSync").GetBoolean());
        Assert.Equal(0, report.RootElement.GetProperty("extra").GetInt32());
        var v2 = report.RootElement.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("tag").GetString() == "v2");
        Assert.Equal("InSync", v2.GetProperty("status").GetString());
        Assert.Equal(pushed.Digest, v2.GetProperty("sourceDigest").GetString());
        Assert.Equal(pushed.Digest, v2.GetProperty("destinationDigest").GetString());
    }

    [Fact]
    public async Task A_tag_pushed_to_the_source_at_another_digest_than_the_destination_s_is_different()
    {
        var (h, time) = await SyncedAsync();
        await using var _ = h;

        var run = await VerifyWhileAsync(h, time, async () =>
        {
            await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(214), "v2");
            await h.PushAsync(CliHarness.West, "app", CliHarness.Single(215), "v2");
        });

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("drift: 0 missing, 1 different, 0 extra of 2", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tag_the_source_still_lacks_stays_extra()
    {
        // Pushed to the destination only: the source never had v2, so it is extra there, whatever the race.
        var (h, time) = await SyncedAsync();
        await using var _ = h;

        var run = await VerifyWhileAsync(h, time, () => h.PushAsync(CliHarness.West, "app", CliHarness.Single(216), "v2"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("drift: 0 missing, 0 different, 1 extra of 2", run.Output, StringComparison.Ordinal);
    }
}
