using System.Globalization;
using System.Text.RegularExpressions;
using Replicator.Core.Replication;
using Replicator.Core.Resilience;
using Replicator.Samples;
using Replicator.Testing;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Resilience;

/// <summary>One retry budget (<see cref="RetrySettings"/>): call retries, layer restarts and download resumes never multiply.</summary>
public sealed class RetryBudgetTests
{
    private static ReplicatorOptions Budget(int retries, int restarts) =>
        FastOptions with { Retry = FastOptions.Retry with { MaxRetries = retries, MaxLayerRestarts = restarts } };

    [Fact]
    public void The_defaults_and_their_worst_case_are_the_ones_reliability_md_quotes()
    {
        // Read from docs/reliability.md, "Retry budget", so the document cannot drift from ReplicatorOptions' defaults.
        var settings = new ReplicatorOptions().Retry;
        var section = RetryBudgetSection();

        Assert.Equal([settings.MaxRetries, 1 + settings.MaxRetries], TableRow(section, "MaxRetries", "tries"));
        Assert.Equal([settings.MaxLayerRestarts, settings.WorstCaseUploadSessionsPerLayer], TableRow(section, "MaxLayerRestarts", "sessions"));
        Assert.Equal([settings.MaxDownloadResumes, 1 + settings.MaxDownloadResumes], TableRow(section, "MaxDownloadResumes", "GETs"));
        Assert.Equal(settings.WorstCaseTriesPerCall, Figure(section, @"`\(1 \+ MaxRetries\) ×\s+\(1 \+ MaxLayerRestarts\)` = (\d+) times"));
        Assert.Equal(settings.WorstCaseDownloadsPerLayer, Figure(section, @"`\(1 \+ MaxDownloadResumes\) ×\s+\(1 \+ MaxLayerRestarts\)` = (\d+) presigned GETs"));
        Assert.Equal(settings.WorstCaseUploadSessionsPerLayer, Figure(section, @"opens at most (\d+) upload sessions per destination"));
        Assert.Equal(settings.WorstCaseUrlTriesPerLayer, Figure(section, @"`\(1 \+ MaxDownloadResumes\) ×\s+\(1 \+ MaxRetries\) ×\s+\(1 \+ MaxLayerRestarts\)` = (\d+) times"));
    }

    /// <summary>docs/reliability.md from its "## Retry budget" heading to the next heading of that level.</summary>
    private static string RetryBudgetSection()
    {
        var document = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "reliability.md"));
        var start = document.IndexOf("\n## Retry budget\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/reliability.md has no \"## Retry budget\" section");
        var end = document.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return end < 0 ? document[start..] : document[start..end];
    }

    /// <summary>The default and the count it gives, from the table row of <paramref name="setting"/>: "`MaxRetries` (6): 7 tries".</summary>
    private static int[] TableRow(string section, string setting, string unit)
    {
        var match = Regex.Match(section, $@"\| `{setting}` \((\d+)\): (\d+) {unit} \|");
        Assert.True(match.Success, $"docs/reliability.md's retry budget table has no row \"`{setting}` (N): N {unit}\"");
        return [Number(match.Groups[1]), Number(match.Groups[2])];
    }

    private static int Figure(string section, string pattern)
    {
        var match = Regex.Match(section, pattern);
        Assert.True(match.Success, $"docs/reliability.md's retry budget does not state /{pattern}/");
        return Number(match.Groups[1]);
    }

    private static int Number(Group group) => int.Parse(group.Value, NumberStyles.None, CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_transient_error_that_outlives_the_call_budget_fails_the_destination_and_does_not_restart_the_layer()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 64).Image(SampleFormat.Oci, [50_000]);
        await h.PushAsync(Source, "budget", image, "v1");
        h.Server.Faults.FailNext("UploadLayerPart", 1000, "ServerException", 500);
        h.Server.Calls.Reset();

        var result = await h.Replicator(Budget(retries: 2, restarts: 3)).ReplicateAsync(Request("budget", image.Digest, "v1", West), CancellationToken.None);

        var west = result.Destinations[0];
        Assert.Equal(ReplicationOutcome.Failed, west.Outcome);
        Assert.Equal("ServerException", west.ErrorCode);
        Assert.True(west.Transient);
        Assert.Equal(image.Blobs.Count, h.Calls(West, "InitiateLayerUpload"));
        Assert.Equal(image.Blobs.Count * 3, h.Calls(West, "UploadLayerPart"));
    }

    [Fact]
    public async Task Layer_restarts_stop_at_their_budget()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 65).Image(SampleFormat.Oci, [50_000]);
        await h.PushAsync(Source, "restarts", image, "v1");
        h.Server.Faults.FailNext("UploadLayerPart", 1000, "UploadNotFoundException", 400);
        h.Server.Calls.Reset();

        var result = await h.Replicator(Budget(retries: 2, restarts: 1)).ReplicateAsync(Request("restarts", image.Digest, "v1", West), CancellationToken.None);

        var west = result.Destinations[0];
        Assert.Equal(ReplicationOutcome.Failed, west.Outcome);
        Assert.Equal("UploadNotFoundException", west.ErrorCode);

        // What a fresh session cures, past the restarts: a redelivery starts the layer over, not the dead-letter queue.
        Assert.True(west.Transient, west.Message);
        Assert.Equal(image.Blobs.Count * 2, h.Calls(West, "InitiateLayerUpload"));
        Assert.Equal(image.Blobs.Count * 2, h.Calls(West, "UploadLayerPart"));
        Assert.Equal(image.Blobs.Count * 2, h.Calls(Source, "DownloadLayer"));
    }

    /// <summary>
    /// CompleteLayerUpload's InvalidLayerException (ECR digested the session's bytes otherwise than the digest given)
    /// comes after the shared download verified the blob: a fresh session and download cure it, within the same
    /// MaxLayerRestarts as a lost session, and not as a call retried (the same session would answer the same).
    /// </summary>
    [Fact]
    public async Task A_layer_the_destination_keeps_digesting_otherwise_restarts_within_the_budget_then_fails_transient()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 66).Image(SampleFormat.Oci, [50_000]);
        await h.PushAsync(Source, "invalid", image, "v1");
        h.Server.Faults.FailNext("CompleteLayerUpload", 1000, "InvalidLayerException", 400, region: West);
        h.Server.Calls.Reset();

        var result = await h.Replicator(Budget(retries: 2, restarts: 1)).ReplicateAsync(Request("invalid", image.Digest, "v1", West), CancellationToken.None);

        var west = result.Destinations[0];
        Assert.Equal(ReplicationOutcome.Failed, west.Outcome);
        Assert.Equal("InvalidLayerException", west.ErrorCode);
        Assert.True(west.Transient, west.Message);
        Assert.Equal(image.Blobs.Count * 2, h.Calls(West, "InitiateLayerUpload"));
        Assert.Equal(image.Blobs.Count * 2, h.Calls(West, "CompleteLayerUpload"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task A_budget_without_call_retries_fails_the_call_once(int retries)
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 950).Image(SampleFormat.Oci, [50_000]);
        await h.PushAsync(Source, "noretry", image, "v1");
        h.Server.Faults.FailNext("UploadLayerPart", 1000, "ServerException", 500);
        h.Server.Calls.Reset();
        var options = FastOptions with { Retry = FastOptions.Retry with { MaxRetries = retries } };
        var result = await h.Replicator(options).ReplicateAsync(Request("noretry", image.Digest, "v1", West), CancellationToken.None);
        Assert.Equal(ReplicationOutcome.Failed, result.Destinations[0].Outcome);
        Assert.Equal(image.Blobs.Count * (1 + retries), h.Calls(West, "UploadLayerPart"));
    }
}
