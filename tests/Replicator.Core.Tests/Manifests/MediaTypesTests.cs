using Replicator.Core.Manifests;

namespace Replicator.Core.Tests.Manifests;

public sealed class MediaTypesTests
{
    /// <summary>
    /// Which layers the engine asks the source about instead of requiring them: Docker's foreign layers (the spec's gzip
    /// one and containerd's uncompressed one) and every OCI non-distributable type, but no ordinary layer and no type that
    /// only mentions "nondistributable" or "foreign" somewhere else in its name.
    /// </summary>
    [Theory]
    [InlineData("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", true)]
    [InlineData("application/vnd.docker.image.rootfs.foreign.diff.tar", true)]
    [InlineData("application/vnd.oci.image.layer.nondistributable.v1.tar", true)]
    [InlineData("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", true)]
    [InlineData("application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", true)]
    [InlineData("application/vnd.oci.image.layer.nondistributable.v1.tar+lz4", true)]
    [InlineData("application/vnd.docker.image.rootfs.diff.tar.gzip", false)]
    [InlineData("application/vnd.oci.image.layer.v1.tar+gzip", false)]
    [InlineData("application/vnd.docker.image.rootfs.foreign.diff.tar.zstd", false)]
    [InlineData("application/vnd.example.layer.nondistributable.v1.tar", false)]
    [InlineData("APPLICATION/VND.OCI.IMAGE.LAYER.NONDISTRIBUTABLE.V1.TAR", false)]
    [InlineData(null, false)]
    public void Foreign_and_non_distributable_layers_are_told_from_ordinary_ones(string? mediaType, bool nonDistributable) =>
        Assert.Equal(nonDistributable, MediaTypes.IsNonDistributable(mediaType));
}
