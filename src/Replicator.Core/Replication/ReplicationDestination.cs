namespace Replicator.Core.Replication;

/// <summary>A destination region, optionally in another account (registry id); null means the caller's own account.</summary>
public sealed record ReplicationDestination(string Region, string? RegistryId = null)
{
    public override string ToString() => RegistryId is null ? Region : $"{RegistryId}:{Region}";
}
