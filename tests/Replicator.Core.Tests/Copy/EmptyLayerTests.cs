using Replicator.Core.Copy;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;
using Replicator.Core.Manifests;
using Replicator.Core.Planning;
using Replicator.Core.Resilience;
using Replicator.Core.Tests.Planning;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Copy;

/// <summary>
/// A zero-byte layer (an OCI artifact's empty file) cannot be uploaded through the ECR API: a destination that holds
/// it needs nothing, one that lacks it fails at once, clearly and permanently, without an upload session.
/// </summary>
public sealed class EmptyLayerTests
{
    private const string EmptyDigest = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private static readonly string Artifact = $$"""
        {
          "schemaVersion": 2,
          "mediaType": "application/vnd.oci.image.manifest.v1+json",
          "artifactType": "application/vnd.example.empty-file",
          "config": { "mediaType": "application/vnd.oci.empty.v1+json", "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", "size": 2, "data": "e30=" },
          "layers": [ { "mediaType": "application/octet-stream", "digest": "{{EmptyDigest}}", "size": 0 } ]
        }
        """;

    [Fact]
    public async Task A_zero_byte_layer_the_destination_lacks_fails_permanently_before_any_upload_session()
    {
        await using var h = await StartAsync();
        await h.Client(West).CreateRepositoryAsync(new CreateRepositoryRequest { RepositoryName = "empty" });
        h.Server.Calls.Reset();
        var copier = new BlobCopier(h.Http, FastOptions.BlobCopy, FastOptions.Retry, new RetryBackoff(FastOptions.Retry, TimeProvider.System, () => 0.5), new SharedPartPool(4));
        var targets = new[] { West, Europe }.Select(r => new BlobCopyTarget(new BlobTarget(h.Client(r), null, "empty"), progress: null)).ToList();

        await copier.CopyAsync(new BlobSource(h.Client(Source), null, "empty"), new BlobToCopy(EmptyDigest, 0), targets, new CopySlots(1), CancellationToken.None);

        foreach (var target in targets)
        {
            var error = await Assert.ThrowsAsync<ReplicationException>(() => target.Done);
            Assert.Equal(ReplicationErrorCodes.EmptyLayer, error.ErrorCode);
            Assert.False(error.IsTransient);
            Assert.Contains(EmptyDigest, error.Message, StringComparison.Ordinal);
            Assert.Contains("a zero-byte layer cannot be uploaded through the ECR API", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(0, h.Calls(West, "InitiateLayerUpload") + h.Calls(Europe, "InitiateLayerUpload"));
        Assert.Equal(0, h.Calls(Source, "GetDownloadUrlForLayer"));
    }

    [Fact]
    public void A_zero_byte_layer_the_destination_holds_is_not_copied()
    {
        var source = SourceImage.Create(ManifestParser.Parse(Artifact, null), tag: "v1");

        var holding = ReplicationPlanner.Plan(source, Images.Holding(blobs: [EmptyDigest]));
        var lacking = ReplicationPlanner.Plan(source, Images.Holding());

        Assert.DoesNotContain(holding.Blobs, b => b.Digest == EmptyDigest);
        Assert.Equal(1, holding.BlobsSkipped);
        Assert.Contains(lacking.Blobs, b => b.Digest == EmptyDigest && b.Size == 0);
    }
}
