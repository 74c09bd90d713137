namespace Replicator.Core.Manifests;

/// <summary>The platform of an index entry (OCI image-index <c>platform</c>).</summary>
public sealed record Platform(string Architecture, string Os, string? Variant = null, string? OsVersion = null)
{
    public IReadOnlyList<string> OsFeatures { get; init; } = [];

    public override string ToString() => Variant is null ? $"{Os}/{Architecture}" : $"{Os}/{Architecture}/{Variant}";
}
