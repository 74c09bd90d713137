namespace Replicator.Core.Manifests;

/// <summary>
/// An OCI content descriptor (image-spec descriptor.md). <see cref="Size"/> is <see cref="UnknownSize"/> for
/// schema 1 layers, whose <c>fsLayers</c> carry only a digest.
/// </summary>
public sealed record Descriptor(string MediaType, string Digest, long Size)
{
    public const long UnknownSize = -1;

    public IReadOnlyList<string> Urls { get; init; } = [];

    public IReadOnlyDictionary<string, string> Annotations { get; init; } = EmptyAnnotations;

    public Platform? Platform { get; init; }

    public string? ArtifactType { get; init; }

    /// <summary>The decoded <c>data</c> field, already checked against <see cref="Digest"/> and <see cref="Size"/>.</summary>
    public ReadOnlyMemory<byte>? Data { get; init; }

    /// <summary>True for foreign and non-distributable layers, which are never copied.</summary>
    public bool IsNonDistributable => MediaTypes.IsNonDistributable(MediaType);

    internal static IReadOnlyDictionary<string, string> EmptyAnnotations { get; } = new Dictionary<string, string>(0);
}
