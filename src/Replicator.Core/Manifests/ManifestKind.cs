namespace Replicator.Core.Manifests;

public enum ManifestKind
{
    /// <summary>Docker schema 2 or OCI image manifest (also OCI artifacts): a config and layers.</summary>
    Image,

    /// <summary>Docker manifest list or OCI index: child manifests by digest.</summary>
    Index,

    /// <summary>Docker schema 1, signed or not: <c>fsLayers</c>, no config.</summary>
    Schema1,
}
