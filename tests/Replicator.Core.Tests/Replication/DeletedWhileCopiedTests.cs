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
        hook!.Arm("BatchGetImage", child, () => BeforeRequestHandler.ImageFailure(child, "ImageNotFound", "Requested image not found"));

        var result = await h.Replicator().ReplicateAsync(Request("broken", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(hook.Fired);
        var west = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Failed, west.Outcome);
        Assert.Equal(ReplicationErrorCodes.SourceImageNotFound, west.ErrorCode);
        Assert.False(west.Transient);
        Assert.Contains(child, west.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_image_deleted_while_its_layers_are_downloaded_is_a_stale_event_in_every_destination()
    {
        BeforeRequestHandler? hook = null;
        await using var h = await StartAsync(inner => hook = new BeforeRequestHandler(inner));
        var image = new SampleImageBuilder(seed: 98).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "brief", image, "v1");

        // Deleted just before the first layer's GetDownloadUrlForLayer: ECR then refuses the layers no image references
        // (LayerInaccessibleException), as a lifecycle rule or a CI cleanup that deletes an image soon after its push does.
        hook!.Arm("GetDownloadUrlForLayer", "brief", () => DeleteAsync(h, "brief", [image.Digest]));
        var loads = h.Calls(Source, "BatchGetImage");

        var result = await h.Replicator().ReplicateAsync(Request("brief", image.Digest, "v1", West, Europe), CancellationToken.None);

        Assert.True(hook.Fired);
        Assert.Equal(2, result.Destinations.Count);
        Assert.All(result.Destinations, d =>
        {
            Assert.Equal(ReplicationOutcome.Skipped, d.Outcome);
            Assert.Equal(ReplicationErrorCodes.SourceImageNotFound, d.ErrorCode);
            Assert.Contains("deleted while it was copied", d.Message, StringComparison.Ordinal);
        });
        Assert.Equal(0, h.Calls(West, "PutImage"));
        Assert.Equal(0, h.Calls(Europe, "PutImage"));

        // The source is asked once again for the image, not once per destination or per layer.
        Assert.Equal(loads + 2, h.Calls(Source, "BatchGetImage"));
    }

    [Fact]
    public async Task A_layer_refused_while_the_image_is_still_there_fails_permanently_after_one_more_source_read()
    {
        BeforeRequestHandler? hook = null;
        await using var h = await StartAsync(inner => hook = new BeforeRequestHandler(inner));
        var image = new SampleImageBuilder(seed: 99).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "kept", image, "v1");
        var layer = image.Blobs[^1].Digest;
        hook!.Arm("GetDownloadUrlForLayer", layer, () => Task.FromResult<HttpResponseMessage?>(Refused(layer)));
        var loads = h.Calls(Source, "BatchGetImage");

        var result = await h.Replicator().ReplicateAsync(Request("kept", image.Digest, "v1", West, Europe), CancellationToken.None);

        Assert.True(hook.Fired);
        Assert.Equal(2, result.Destinations.Count);
        Assert.All(result.Destinations, d =>
        {
            Assert.Equal(ReplicationOutcome.Failed, d.Outcome);
            Assert.Equal("LayerInaccessibleException", d.ErrorCode);
            Assert.False(d.Transient);
        });
        Assert.Equal(0, h.Calls(West, "PutImage"));
        Assert.Equal(loads + 2, h.Calls(Source, "BatchGetImage"));
    }

    [Fact]
    public async Task A_destination_refusing_layers_at_PutImage_does_not_ask_the_source_again()
    {
        BeforeRequestHandler? hook = null;
        await using var h = await StartAsync(inner => hook = new BeforeRequestHandler(inner));
        var image = new SampleImageBuilder(seed: 100).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "dest", image, "v1");
        var loads = h.Calls(Source, "BatchGetImage");

        // Only a replicator PutImage carries the tag; the harness pushed before arming.
        hook!.Arm("PutImage", "v1", () => Task.FromResult<HttpResponseMessage?>(Error("LayersNotFoundException", "Layers required for pushing image do not exist")));

        var result = await h.Replicator().ReplicateAsync(Request("dest", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(hook.Fired);
        var west = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Failed, west.Outcome);
        Assert.Equal("LayersNotFoundException", west.ErrorCode);
        Assert.Equal(loads + 1, h.Calls(Source, "BatchGetImage"));
    }

    /// <summary>
    /// A destination whose copy failed on a refused source layer is decided by the engine once it has asked the source
    /// again, and only that decision reaches the observer: one DestinationDone per destination, never the layer's
    /// refusal first and the decision after.
    /// </summary>
    [Fact]
    public async Task An_image_deleted_while_its_layers_are_downloaded_is_reported_done_once_per_destination_as_decided()
    {
        BeforeRequestHandler? hook = null;
        await using var h = await StartAsync(inner => hook = new BeforeRequestHandler(inner));
        var image = new SampleImageBuilder(seed: 100).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "once", image, "v1");
        hook!.Arm("GetDownloadUrlForLayer", "once", () => DeleteAsync(h, "once", [image.Digest]));
        var observer = new DoneRecorder();

        var result = await h.Replicator(observer: observer).ReplicateAsync(Request("once", image.Digest, "v1", West, Europe), CancellationToken.None);

        Assert.True(hook.Fired);
        Assert.All(result.Destinations, d => Assert.Equal(ReplicationOutcome.Skipped, d.Outcome));
        Assert.Equal(2, observer.Done.Count);
        Assert.All(observer.Done, d => Assert.Equal(ReplicationOutcome.Skipped, d.Outcome));
        Assert.Equal([Europe, West], observer.Done.Select(d => d.Destination.Region).Order(StringComparer.Ordinal));
    }

    private sealed class DoneRecorder : IReplicationObserver
    {
        public System.Collections.Concurrent.ConcurrentQueue<DestinationResult> Done { get; } = new();

        public void DestinationDone(DestinationResult result) => Done.Enqueue(result);
    }

    private static HttpResponseMessage Refused(string layer) =>
        Error("LayerInaccessibleException", $"The image layer '{layer}' is not associated with an image");

    private static HttpResponseMessage Error(string code, string message) => new(System.Net.HttpStatusCode.BadRequest)
    {
        Content = new StringContent(
            $$"""{"__type":"{{code}}","message":"{{message}}"}""",
            System.Text.Encoding.UTF8,
            "application/x-amz-json-1.1"),
    };

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
