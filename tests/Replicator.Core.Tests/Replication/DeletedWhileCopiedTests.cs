using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;
using Replicator.Core.Replication;
using Replicator.Samples;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Replication;

/// <summary>
/// An index whose child is missing is broken only if the index itself is still there: an image deleted while it is
/// being copied loses its children too, and that is a stale event like an image deleted before the copy began.
/// </summary>
public sealed class DeletedWhileCopiedTests
{
    [Fact]
    public async Task An_index_deleted_while_its_children_are_fetched_is_a_stale_event()
    {
        BeforeRequestHandler? hook = null;
        await using var h = await StartAsync(inner => hook = new BeforeRequestHandler(inner));
        var image = new SampleImageBuilder(seed: 96).MultiArch(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "going", image, "v1");
        hook!.Arm("BatchGetImage", image.Manifests[0].Digest, () => DeleteAsync(h, "going", [.. image.Manifests.Reverse().Select(m => m.Digest)]));

        var result = await h.Replicator().ReplicateAsync(Request("going", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(hook.Fired);
        var west = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Skipped, west.Outcome);
        Assert.Equal(ReplicationErrorCodes.SourceImageNotFound, west.ErrorCode);
        Assert.Contains("stale event", west.Message, StringComparison.Ordinal);
        Assert.Equal(0, h.CallsTo(West));
    }

    [Fact]
    public async Task A_child_missing_under_an_index_the_source_still_holds_fails_permanently()
    {
        BeforeRequestHandler? hook = null;
        await using var h = await StartAsync(inner => hook = new BeforeRequestHandler(inner));
        var image = new SampleImageBuilder(seed: 97).MultiArch(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "broken", image, "v1");
        var child = image.Manifests[0].Digest;

        // ECR refuses to delete a manifest an index names (model: ImageFailureCode ImageReferencedByManifestList), and
        // so does LocalEcr: the missing child is answered here.
        hook!.Arm("BatchGetImage", child, () => Task.FromResult<HttpResponseMessage?>(new HttpResponseMessage(System.Net.HttpStatusCode.OK)
        {
            Content = new StringContent(
                $$"""{"images":[],"failures":[{"imageId":{"imageDigest":"{{child}}"},"failureCode":"ImageNotFound","failureReason":"Requested image not found"}]}""",
                System.Text.Encoding.UTF8,
                "application/x-amz-json-1.1"),
        }));

        var result = await h.Replicator().ReplicateAsync(Request("broken", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(hook.Fired);
        var west = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Failed, west.Outcome);
        Assert.Equal(ReplicationErrorCodes.SourceImageNotFound, west.ErrorCode);
        Assert.False(west.Transient);
        Assert.Contains(child, west.Message, StringComparison.Ordinal);
    }

    private static async Task DeleteAsync(EngineHarness h, string repository, IReadOnlyList<string> digests)
    {
        var deleted = await h.Client(Source).BatchDeleteImageAsync(new BatchDeleteImageRequest
        {
            RepositoryName = repository,
            ImageIds = [.. digests.Select(d => new ImageIdentifier { ImageDigest = d })],
        });
        Assert.Empty(deleted.Failures ?? []);
    }
}
