using Replicator.Core.Ecr.Model;
using Replicator.Core.Replication;
using Replicator.Samples;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Replication;

/// <summary>
/// A BatchGetImage failure other than ImageNotFound is the source refusing the image: retried when a later try can
/// succeed, dead-lettered when it cannot.
/// </summary>
public sealed class SourceRefusalTests
{
    [Theory]
    [InlineData(ImageFailureCode.KmsError, true)]
    [InlineData(ImageFailureCode.UpstreamTooManyRequests, true)]
    [InlineData(ImageFailureCode.UpstreamUnavailable, true)]
    [InlineData(ImageFailureCode.UpstreamAccessDenied, false)]
    [InlineData(ImageFailureCode.ImageInaccessible, false)] // the image is ACTIVE: not archived, so the refusal stands
    public async Task A_source_failure_code_is_transient_only_when_a_retry_can_get_past_it(string failureCode, bool transient)
    {
        BeforeRequestHandler? hook = null;
        await using var h = await StartAsync(inner => hook = new BeforeRequestHandler(inner));
        var image = new SampleImageBuilder(seed: 140).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "sealed", image, "v1");
        hook!.Arm("BatchGetImage", image.Digest, () => BeforeRequestHandler.ImageFailure(image.Digest, failureCode));

        var result = await h.Replicator().ReplicateAsync(Request("sealed", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(hook.Fired);
        var west = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Failed, west.Outcome);
        Assert.Equal(failureCode, west.ErrorCode);
        Assert.Equal(transient, west.Transient);
        Assert.Equal(transient, result.ShouldRetry);
        Assert.Equal(0, h.CallsTo(West));
    }

    /// <summary>
    /// A manifest the source serves that does not parse (here, not JSON at all) is a permanent InvalidManifest naming the
    /// digest: no retry can change the stored bytes, and nothing is written to any destination.
    /// </summary>
    [Fact]
    public async Task A_source_manifest_that_does_not_parse_fails_permanently_as_InvalidManifest_writing_nothing()
    {
        BeforeRequestHandler? hook = null;
        await using var h = await StartAsync(inner => hook = new BeforeRequestHandler(inner));
        var image = new SampleImageBuilder(seed: 141).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "garbled", image, "v1");
        hook!.Arm("BatchGetImage", image.Digest, () => BeforeRequestHandler.Answer($$"""{"images":[{"imageId":{"imageDigest":"{{image.Digest}}"},"imageManifest":"not a manifest","imageManifestMediaType":"application/vnd.oci.image.manifest.v1+json"}],"failures":[]}"""));

        var result = await h.Replicator().ReplicateAsync(Request("garbled", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(hook.Fired);
        var west = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Failed, west.Outcome);
        Assert.Equal(Replicator.Core.Errors.ReplicationErrorCodes.InvalidManifest, west.ErrorCode);
        Assert.False(west.Transient);
        Assert.False(result.ShouldRetry);
        Assert.Contains($"source manifest {image.Digest}", west.Message, StringComparison.Ordinal);
        Assert.Equal(0, h.CallsTo(West));
    }

    /// <summary>
    /// A platform manifest the source refuses as ImageInaccessible while it is ACTIVE (not archived, not being restored)
    /// fails the index's copy with that refusal, permanent, before anything is pushed: read as archived it would be
    /// parked as an image that a restore brings back, and read as absent the index would be reported missing a child.
    /// </summary>
    [Fact]
    public async Task A_platform_manifest_refused_as_inaccessible_while_active_fails_the_index_with_that_refusal()
    {
        BeforeRequestHandler? hook = null;
        await using var h = await StartAsync(inner => hook = new BeforeRequestHandler(inner));
        var index = new SampleImageBuilder(seed: 142).MultiArch(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "multi", index, "v1");
        var child = index.Manifests[0].Digest;
        hook!.Arm("BatchGetImage", child, () => BeforeRequestHandler.ImageFailure(child, "ImageInaccessible"));

        var result = await h.Replicator().ReplicateAsync(Request("multi", index.Digest, "v1", West), CancellationToken.None);

        Assert.True(hook.Fired);
        var west = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Failed, west.Outcome);
        Assert.Equal(ImageFailureCode.ImageInaccessible, west.ErrorCode);
        Assert.False(west.Transient);
        Assert.Contains(child, west.Message, StringComparison.Ordinal);
        Assert.Equal(0, h.Calls(West, "PutImage"));
    }
}
