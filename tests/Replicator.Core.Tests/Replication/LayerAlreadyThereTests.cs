using Replicator.Core.Replication;
using Replicator.Samples;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Replication;

/// <summary>
/// CompleteLayerUpload answers LayerAlreadyExistsException when the repository already holds the layer (botocore ECR
/// model, CompleteLayerUpload errors): the blob is there, which is what the upload was for.
/// </summary>
public sealed class LayerAlreadyThereTests
{
    private static readonly long[] OneLayer = [600_000];

    [Fact]
    public async Task A_layer_another_copy_completed_first_is_a_success()
    {
        BeforeRequestHandler? hook = null;
        await using var h = await StartAsync(inner => hook = new BeforeRequestHandler(inner));
        var image = new SampleImageBuilder(seed: 47).Image(SampleFormat.Oci, OneLayer);
        var layer = image.Blobs.Single(b => b.Size == OneLayer[0]);
        await h.PushAsync(Source, "shared", image, "v1");

        // A concurrent invocation copying another image that shares the layer finishes just before this one does.
        hook!.Arm("CompleteLayerUpload", layer.Digest, () => h.PushAsync(West, "shared", image, tag: null));

        var result = await h.Replicator().ReplicateAsync(Request("shared", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(hook.Fired);
        Assert.True(result.Succeeded, result.Destinations[0].ErrorCode + ": " + result.Destinations[0].Message);
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "shared", "v1"));
    }

    [Fact]
    public async Task A_completed_layer_whose_answer_was_lost_is_a_success()
    {
        LostAnswerHandler? lost = null;
        await using var h = await StartAsync(inner => lost = new LostAnswerHandler(inner, "CompleteLayerUpload"));
        var image = new SampleImageBuilder(seed: 48).Image(SampleFormat.Oci, OneLayer);
        await h.PushAsync(Source, "lost", image, "v1");
        lost!.Arm();

        var result = await h.Replicator().ReplicateAsync(Request("lost", image.Digest, "v1", West), CancellationToken.None);

        Assert.Equal(1, lost.Lost);
        Assert.True(result.Succeeded, result.Destinations[0].ErrorCode + ": " + result.Destinations[0].Message);
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "lost", "v1"));

        // The retried completion found its session closed (UploadNotFoundException); the repository, asked, held the
        // layer, so the layer was not uploaded again: one upload session per blob.
        Assert.Equal(image.Blobs.Count, h.Calls(West, "InitiateLayerUpload"));
    }
}
