using Replicator.Core.Errors;
using Replicator.Core.Replication;
using Replicator.Samples;
using Replicator.Testing;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Replication;

/// <summary>
/// An index whose platform manifest the source archived: the child is still in the repository, but cannot be pulled
/// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/archive-image.html). Before, the copy failed for good with
/// SourceImageNotFound, "names ..., which the source repository does not hold", a message that sent the operator
/// looking for a deletion, and dead-lettered the event.
/// </summary>
public sealed class ArchivedChildTests
{
    [Fact]
    public async Task An_index_with_an_archived_platform_manifest_is_archived_not_a_missing_manifest()
    {
        await using var h = await StartAsync();
        var index = new SampleImageBuilder(seed: 97).MultiArch(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "multi", index, "v1");
        var child = index.Manifests[0].Digest;
        await EcrArchiver.ArchiveAsync(h.Http, h.Server.BaseAddress, Source, "multi", child);

        var result = await h.Replicator().ReplicateAsync(Request("multi", index.Digest, "v1", West), CancellationToken.None);

        var destination = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Archived, destination.Outcome);
        Assert.Equal(ReplicationErrorCodes.SourceImageArchived, destination.ErrorCode);
        Assert.Contains($"names {child}, which is archived", destination.Message, StringComparison.Ordinal);
        Assert.Equal(0, h.Calls(West, "PutImage"));
    }
}
