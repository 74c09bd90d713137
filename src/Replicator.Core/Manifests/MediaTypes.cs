namespace Replicator.Core.Manifests;

/// <summary>
/// Media types of the Docker image manifest v2 spec (schema 1 and 2) and the OCI image spec v1.1.
/// </summary>
public static class MediaTypes
{
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws";
    public const string DockerSchema1 = "application/vnd.docker.distribution.manifest.v1+json";
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";

    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    public const string DockerLayer = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public const string DockerForeignLayer = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

    /// <summary>
    /// The uncompressed foreign layer: not in the Docker manifest v2 spec, but defined by containerd
    /// (<c>MediaTypeDockerSchema2LayerForeign</c>, https://github.com/containerd/containerd/blob/main/core/images/mediatypes.go)
    /// and containers/image (<c>DockerV2Schema2ForeignLayerMediaType</c>).
    /// </summary>
    public const string DockerForeignLayerUncompressed = "application/vnd.docker.image.rootfs.foreign.diff.tar";

    public const string OciConfig = "application/vnd.oci.image.config.v1+json";
    public const string OciLayer = "application/vnd.oci.image.layer.v1.tar";
    public const string OciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string OciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
    public const string OciNonDistributableLayer = "application/vnd.oci.image.layer.nondistributable.v1.tar";
    public const string OciNonDistributableLayerGzip = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
    public const string OciNonDistributableLayerZstd = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";

    /// <summary>What the OCI image spec's three non-distributable layer types (deprecated in v1.1) begin with.</summary>
    public const string OciNonDistributablePrefix = "application/vnd.oci.image.layer.nondistributable.";

    /// <summary>The OCI empty descriptor's type: the two-byte blob <c>{}</c> (image-spec v1.1, manifest.md).</summary>
    public const string OciEmpty = "application/vnd.oci.empty.v1+json";

    /// <summary>
    /// Every manifest type, for BatchGetImage's acceptedMediaTypes: ECR converts a manifest pulled by tag to fit
    /// this list, so every type is passed to get every manifest as it was pushed (unsigned schema 1 included:
    /// a stored type missing from the list may be converted, or come back as stored; the model names no failure code for it).
    /// </summary>
    public static IReadOnlyList<string> AcceptedManifestTypes { get; } =
    [
        DockerSchema1Signed,
        DockerSchema1,
        DockerManifest,
        DockerManifestList,
        OciManifest,
        OciIndex,
    ];

    public static bool IsIndex(string? mediaType) => mediaType is DockerManifestList or OciIndex;

    public static bool IsImageManifest(string? mediaType) => mediaType is DockerManifest or OciManifest;

    public static bool IsSchema1(string? mediaType) => mediaType is DockerSchema1Signed or DockerSchema1;

    public static bool IsManifest(string? mediaType) => IsIndex(mediaType) || IsImageManifest(mediaType) || IsSchema1(mediaType);

    /// <summary>
    /// Layers a registry may not hold (Windows base layers served from their <c>urls</c>), which ECR does not require at
    /// PutImage. The engine asks the source which of them it holds, copies those and leaves out the rest. Which types ECR
    /// skips beyond Docker's gzip foreign layer and the OCI spec's three is not documented, so the uncompressed Docker
    /// foreign layer and any OCI non-distributable compression count too: that is right under either reading, since a
    /// layer the source holds is copied like any other, and one it does not hold is one the source's own PutImage
    /// accepted without.
    /// </summary>
    public static bool IsNonDistributable(string? mediaType) =>
        mediaType is DockerForeignLayer or DockerForeignLayerUncompressed
        || (mediaType is not null && mediaType.StartsWith(OciNonDistributablePrefix, StringComparison.Ordinal));
}
