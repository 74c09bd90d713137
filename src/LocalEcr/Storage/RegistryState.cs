namespace LocalEcr.Storage;

/// <summary>Everything one account holds in one region. Every member is guarded by <see cref="Sync"/>.</summary>
internal sealed class RegistryState(string accountId, string region)
{
    public string AccountId { get; } = accountId;

    public string Region { get; } = region;

    public Lock Sync { get; } = new();

    public SortedDictionary<string, Repository> Repositories { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, UploadSession> Uploads { get; } = new(StringComparer.Ordinal);
}
