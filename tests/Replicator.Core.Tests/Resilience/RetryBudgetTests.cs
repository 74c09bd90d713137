using Replicator.Core.Replication;
using Replicator.Core.Resilience;
using Replicator.Samples;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Resilience;

/// <summary>One retry budget (<see cref="RetrySettings"/>): call retries, layer restarts and download resumes never multiply.</summary>
public sealed class RetryBudgetTests
{
    private static ReplicatorOptions Budget(int retries, int restarts) =>
        FastOptions with { Retry = FastOptions.Retry with { MaxRetries = retries, MaxLayerRestarts = restarts } };

    [Fact]
    public void The_worst_case_of_the_defaults_is_the_one_reliability_md_quotes()
    {
        // docs/reliability.md, "Retry budget", states these three figures for the defaults (6 retries, 2 restarts, 5 resumes).
        var settings = new RetrySettings();

        Assert.Equal(21, settings.WorstCaseTriesPerCall);
        Assert.Equal(18, settings.WorstCaseDownloadsPerLayer);
        Assert.Equal(3, settings.WorstCaseUploadSessionsPerLayer);
    }

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
        Assert.Equal(image.Blobs.Count * 2, h.Calls(West, "InitiateLayerUpload"));
        Assert.Equal(image.Blobs.Count * 2, h.Calls(West, "UploadLayerPart"));
        Assert.Equal(image.Blobs.Count * 2, h.Calls(Source, "DownloadLayer"));
    }
}
