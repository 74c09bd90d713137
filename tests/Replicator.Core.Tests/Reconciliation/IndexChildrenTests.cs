using System.Security.Cryptography;
using System.Text;
using Moq;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Manifests;
using Replicator.Core.Reconciliation;

namespace Replicator.Core.Tests.Reconciliation;

/// <summary>
/// The children of an index as the reconciler's scan and <c>replicator verify</c> read them, to follow their referrers
/// (a per-platform signature): what the source answers that is no readable index leaves nothing to follow, not a failed
/// pass.
/// </summary>
public sealed class IndexChildrenTests
{
    private const string Child = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

    private static readonly string Index =
        $$$"""{"schemaVersion":2,"mediaType":"{{{MediaTypes.OciIndex}}}","manifests":[{"mediaType":"{{{MediaTypes.OciManifest}}}","digest":"{{{Child}}}","size":400,"platform":{"architecture":"arm64","os":"linux"}}]}""";

    private static readonly string IndexDigest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Index)));

    /// <summary>The index's children are listed, read from the repository and registry scanned, by the index's digest.</summary>
    [Fact]
    public async Task An_index_lists_its_children()
    {
        var source = Answering(new Image { ImageManifest = Index, ImageManifestMediaType = MediaTypes.OciIndex });

        Assert.Equal([Child], await IndexChildren.DigestsAsync(source.Object, "111111111111", "app", IndexDigest, CancellationToken.None));
        source.Verify(c => c.BatchGetImageAsync(
            It.Is<BatchGetImageRequest>(r => r.RegistryId == "111111111111" && r.RepositoryName == "app" && r.ImageIds!.Single().ImageDigest == IndexDigest),
            It.IsAny<CancellationToken>()));
    }

    /// <summary>
    /// An index deleted since it was listed (BatchGetImage answers a failure, no image), or one whose manifest does not
    /// parse (its copy reports that): no children, and the scan goes on with the repository's other digests.
    /// </summary>
    [Theory]
    [InlineData(null)]
    [InlineData("{\"schemaVersion\":2,\"manifests\":")]
    public async Task An_index_gone_or_unreadable_has_no_children_to_follow(string? manifest)
    {
        var source = Answering(manifest is null ? null : new Image { ImageManifest = manifest, ImageManifestMediaType = MediaTypes.OciIndex });

        Assert.Empty(await IndexChildren.DigestsAsync(source.Object, null, "app", IndexDigest, CancellationToken.None));
    }

    private static Mock<IEcrClient> Answering(Image? image)
    {
        var source = new Mock<IEcrClient>(MockBehavior.Strict);
        source.Setup(c => c.BatchGetImageAsync(It.IsAny<BatchGetImageRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(image is null
                ? new BatchGetImageResponse { Images = [], Failures = [new ImageFailure { FailureCode = "ImageNotFound", ImageId = new ImageIdentifier { ImageDigest = IndexDigest } }] }
                : new BatchGetImageResponse { Images = [image] });
        return source;
    }
}
