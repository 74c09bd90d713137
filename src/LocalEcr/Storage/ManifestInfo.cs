namespace LocalEcr.Storage;

/// <summary>What PutImage learned from a manifest: its type, what it references and what it weighs.</summary>
internal sealed class ManifestInfo
{
    public required string MediaType { get; init; }

    /// <summary>Config and layer digests that must exist as layers of the repository.</summary>
    public IReadOnlyList<string> Blobs { get; init; } = [];

    /// <summary>
    /// Foreign and non-distributable layer digests: PutImage does not need them, but one the repository holds (pushed
    /// with Docker's allow-nondistributable-artifacts) is associated with the image and served like its other layers.
    /// </summary>
    public IReadOnlyList<string> ForeignLayers { get; init; } = [];

    /// <summary>Child manifests (index or manifest list) that must exist as images of the repository.</summary>
    public IReadOnlyList<string> Children { get; init; } = [];

    public string? ConfigMediaType { get; init; }

    public string? ArtifactType { get; init; }

    public string? SubjectDigest { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> Annotations { get; init; } = [];

    /// <summary>Declared config and layer sizes summed (0 for an index: its size comes from its children).</summary>
    public long DeclaredSize { get; init; }

    public bool IsIndex => Children.Count > 0 || MediaTypes.IsIndex(MediaType);
}
