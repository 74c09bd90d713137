using Replicator.Core.Replication;
using Replicator.Samples;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Copy;

/// <summary>
/// A warm Lambda runs copy after copy on one engine: a copy cut by the deadline while a slow destination still holds a
/// part must give every pooled part and its copy slot back, or the next invocations would wait on a pool that never
/// refills. One copy slot (MaxParallelLayers 1) makes a slot kept by the cut copy stop the next copy outright.
/// </summary>
public sealed class DeadlineReleaseTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task A_copy_cancelled_at_the_deadline_mid_part_gives_back_its_parts_and_slot(int partCallsBeforeCancel)
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: (ulong)(900 + partCallsBeforeCancel)).Image(SampleFormat.Oci, [(3 * 10 * 1024 * 1024) + 5000, 11 * 1024 * 1024]);
        await h.PushAsync(Source, "cancel", image, "v1");
        h.Server.Faults.DelayResponses("UploadLayerPart", TimeSpan.FromSeconds(3), region: Europe);
        h.Server.Calls.Reset();

        var options = FastOptions with { MaxParallelLayers = 1 };
        var replicator = h.Replicator(options);
        using var cts = new CancellationTokenSource();
        var run = replicator.ReplicateAsync(Request("cancel", image.Digest, "v1", West, Europe), cts.Token);
        var started = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (h.Calls(Europe, "UploadLayerPart") < partCallsBeforeCancel && DateTime.UtcNow < started)
        {
            await Task.Delay(10);
        }

        Assert.True(h.Calls(Europe, "UploadLayerPart") >= partCallsBeforeCancel, "the copy never reached the part to cut");

        await cts.CancelAsync();
        var result = await run.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.False(result.Succeeded);

        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (replicator.Parts.Alive != 0 && DateTime.UtcNow < until)
        {
            await Task.Delay(50);
        }

        Assert.Equal(0, replicator.Parts.Alive);
        h.Server.Faults.Clear();
        var again = await replicator.ReplicateAsync(Request("cancel", image.Digest, "v1", West, Europe), CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(1));
        Assert.True(again.Succeeded, string.Join("; ", again.Destinations.Select(d => d.Message)));
        Assert.Equal(0, replicator.Parts.Alive);
    }
}
