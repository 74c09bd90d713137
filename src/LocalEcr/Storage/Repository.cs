using System.Text.Json.Nodes;

namespace LocalEcr.Storage;

/// <summary>A repository of one registry (account and region). Guarded by its RegistryState's lock.</summary>
internal sealed class Repository
{
    public required string Name { get; init; }

    public required string Arn { get; init; }

    public required string Uri { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public string TagMutability { get; set; } = "MUTABLE";

    /// <summary>Kept as received (filterType/filter pairs) and returned as is.</summary>
    public JsonArray? TagMutabilityExclusionFilters { get; set; }

    public bool ScanOnPush { get; set; }

    public string EncryptionType { get; set; } = "AES256";

    public string? KmsKey { get; set; }

    public List<KeyValuePair<string, string>> ResourceTags { get; } = [];

    public string? LifecyclePolicy { get; set; }

    public string? RepositoryPolicy { get; set; }

    /// <summary>Layers (and configs) uploaded to this repository: digest to size in bytes.</summary>
    public Dictionary<string, long> Layers { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, ImageRecord> Images { get; } = new(StringComparer.Ordinal);

    /// <summary>Tag to manifest digest.</summary>
    public Dictionary<string, string> Tags { get; } = new(StringComparer.Ordinal);

    public long NextSequence { get; set; }
}
