namespace LocalEcr.Storage;

internal static class MediaTypes
{
    public const string DockerSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws";
    public const string DockerSchema1 = "application/vnd.docker.distribution.manifest.v1+json";
    public const string DockerSchema2 = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";

    // Layers a registry is not expected to hold (they live elsewhere, e.g. Windows base layers), so
    // PutImage does not require them: Docker's foreign layer (manifest v2 schema 2 spec) and the OCI image spec's three
    // non-distributable layers. Which other types ECR skips is not documented, so every other type, containerd's
    // uncompressed foreign layer and OCI compressions the spec does not list included, names a layer the repository
    // must hold: the stricter reading (docs/fidelity.md).
    public const string DockerForeignLayer = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
    public const string OciNonDistributable = "application/vnd.oci.image.layer.nondistributable.v1.tar";
    public const string OciNonDistributableGzip = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
    public const string OciNonDistributableZstd = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";

    public static bool IsIndex(string mediaType) =>
        mediaType is DockerManifestList or OciIndex;

    public static bool IsSchema1(string mediaType) =>
        mediaType is DockerSchema1Signed or DockerSchema1;

    /// <summary>The manifest types ECR stores (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-manifest-formats.html).</summary>
    public static bool IsSupportedManifest(string mediaType) =>
        mediaType is DockerSchema1Signed or DockerSchema1 or DockerSchema2 or DockerManifestList or OciManifest or OciIndex;

    public static bool IsSkippedLayer(string? mediaType) =>
        mediaType is DockerForeignLayer or OciNonDistributable or OciNonDistributableGzip or OciNonDistributableZstd;
}
