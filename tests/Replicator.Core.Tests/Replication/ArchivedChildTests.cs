using Replicator.Core.Errors;
using Replicator.Core.Manifests;
using Replicator.Core.Replication;
using Replicator.Samples;
using Replicator.Testing;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Replication;

/// <summary>
/// An index whose platform manifest the source archived: the child is still in the repository, but cannot be pulled
/// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/archive-image.html). Before, the copy failed for good with
/// SourceImageNotFound, "names ..., which the source repository does not hold" (or, where BatchGetImage answers
/// ImageInaccessible, a bare permanent refusal), a message that sent the operator looking for a deletion, and the
/// event was dead-lettered. Both readings of ECR's BatchGetImage failure for an archived image are run
/// (docs/fidelity.md, "BatchGetImage of an archived image").
/// </summary>
public sealed class ArchivedChildTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_index_with_an_archived_platform_manifest_is_archived_not_a_missing_manifest(bool inaccessible)
    {
        await using var h = await StartAsync(configure: o => o.ArchivedImagesInaccessible = inaccessible);
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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_index_whose_platform_manifest_is_being_restored_is_retried(bool inaccessible)
    {
        await using var h = await StartAsync(configure: o => o.ArchivedImagesInaccessible = inaccessible);
        var index = new SampleImageBuilder(seed: 98).MultiArch(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "multi", index, "v1");
        var child = index.Manifests[0].Digest;
        await EcrArchiver.ArchiveAsync(h.Http, h.Server.BaseAddress, Source, "multi", child);
        await EcrArchiver.RestoreAsync(h.Http, h.Server.BaseAddress, Source, "multi", child);

        var result = await h.Replicator().ReplicateAsync(Request("multi", index.Digest, "v1", West), CancellationToken.None);

        var destination = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Failed, destination.Outcome);
        Assert.Equal(ReplicationErrorCodes.SourceImageActivating, destination.ErrorCode);
        Assert.True(destination.Transient);
        Assert.Contains(child, destination.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// An index referrer (a signature index, an attestation list) with an archived manifest below it cannot be pulled
    /// whole, as an archived referrer cannot: its subject is still copied, without it. Before, the referrer walk's
    /// "does not hold" failed the subject's copy for good.
    /// </summary>
    [Fact]
    public async Task An_index_referrer_with_an_archived_manifest_below_it_is_left_behind_and_its_subject_copied()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 99).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "bundled", image, "v1");
        var listed = new SampleImageBuilder(seed: 100).Image(SampleFormat.Oci, [1200], "arm64");
        var bundleJson =
            $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.OciIndex}\",\"artifactType\":\"application/vnd.example.bundle\","
            + $"\"manifests\":[{{\"mediaType\":\"{listed.Root.MediaType}\",\"digest\":\"{listed.Digest}\",\"size\":{listed.Root.Size}}}],"
            + $"\"subject\":{{\"mediaType\":\"{image.Root.MediaType}\",\"digest\":\"{image.Digest}\",\"size\":{image.Root.Size}}}}}";
        var bundle = new SampleManifest(Digest.Compute(System.Text.Encoding.UTF8.GetBytes(bundleJson)), MediaTypes.OciIndex, bundleJson);
        await h.PushAsync(Source, "bundled", new SampleImage(listed.Blobs, [listed.Root, bundle]), null);
        await EcrArchiver.ArchiveAsync(h.Http, h.Server.BaseAddress, Source, "bundled", listed.Digest);

        var result = await h.Replicator().ReplicateAsync(Request("bundled", image.Digest, "v1", West), CancellationToken.None);

        var destination = Assert.Single(result.Destinations);
        Assert.True(result.Succeeded, destination.ErrorCode + ": " + destination.Message);
        Assert.Equal(ReplicationOutcome.Replicated, destination.Outcome);
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "bundled", "v1"));
        Assert.Empty(destination.ReferrersPut);
        Assert.False(await h.Probe(West).HasVerifiedImageAsync("bundled", bundle.Digest));
    }
}
