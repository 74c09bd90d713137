using Replicator.Core.Ecr.Model;
using Replicator.Core.Replication;
using Replicator.Core.Tests.Replication;
using Replicator.Samples;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Reliability;

/// <summary>
/// A repository deleted while its image is being copied is a transient failure: the retry re-reads both sides
/// and recreates the destination repository, or finds the source gone and skips. Never a permanent failure,
/// which would dead-letter an image that one more attempt copies.
/// </summary>
public sealed class RepositoryDeletedMidCopyTests
{
    [Fact]
    public async Task A_destination_repository_deleted_mid_copy_fails_transiently_and_the_retry_recreates_it()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 60).Image(SampleFormat.Oci, [2_000_000, 30_000]);
        await h.PushAsync(Source, "vanish", image, "v1");
        await h.Client(West).CreateRepositoryAsync(new CreateRepositoryRequest { RepositoryName = "vanish" });
        var observer = new DeleteOnFirstBytes(() => OperatorCalls.DeleteRepositoryAsync(h.Server, h.Http, West, "vanish"));

        var first = await h.Replicator(FastOptions with { MaxParallelLayers = 1 }, observer).ReplicateAsync(Request("vanish", image.Digest, "v1", West), CancellationToken.None);

        var west = Assert.Single(first.Destinations);
        Assert.Equal(ReplicationOutcome.Failed, west.Outcome);
        Assert.Equal("RepositoryNotFoundException", west.ErrorCode);
        Assert.True(west.Transient);
        Assert.Contains("deleted during the copy", west.Message, StringComparison.Ordinal);
        Assert.True(first.ShouldRetry);

        var retry = await h.Replicator().ReplicateAsync(Request("vanish", image.Digest, "v1", West), CancellationToken.None);

        Assert.Equal(ReplicationOutcome.Replicated, Assert.Single(retry.Destinations).Outcome);
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "vanish", "v1"));
    }

    [Fact]
    public async Task A_source_repository_deleted_mid_copy_fails_transiently_and_the_retry_skips()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 61).Image(SampleFormat.Oci, [2_000_000, 30_000, 40_000]);
        await h.PushAsync(Source, "withdrawn", image, "v1");
        var observer = new DeleteOnFirstBytes(() => OperatorCalls.DeleteRepositoryAsync(h.Server, h.Http, Source, "withdrawn"));

        var first = await h.Replicator(FastOptions with { MaxParallelLayers = 1 }, observer).ReplicateAsync(Request("withdrawn", image.Digest, "v1", West), CancellationToken.None);

        var west = Assert.Single(first.Destinations);
        Assert.Equal(ReplicationOutcome.Failed, west.Outcome);
        Assert.True(west.Transient, west.Message);
        Assert.Null(await h.GetImageAsync(West, "withdrawn", image.Digest));

        var retry = await h.Replicator().ReplicateAsync(Request("withdrawn", image.Digest, "v1", West), CancellationToken.None);

        Assert.Equal(ReplicationOutcome.Skipped, Assert.Single(retry.Destinations).Outcome);
    }

    private sealed class DeleteOnFirstBytes(Func<Task> delete) : IReplicationObserver
    {
        private int _fired;

        public void BytesCopied(ReplicationDestination destination, string layerDigest, long bytes)
        {
            if (Interlocked.Exchange(ref _fired, 1) == 0)
            {
                // Blocks the copy until the repository is gone. On the thread pool: this may run on xunit's test
                // context, whose few threads the awaits inside the deletion would otherwise need while this one blocks.
                Task.Run(delete).GetAwaiter().GetResult();
            }
        }
    }
}
