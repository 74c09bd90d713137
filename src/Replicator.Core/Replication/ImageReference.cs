namespace Replicator.Core.Replication;

/// <summary>
/// One image in one registry: account, region, repository, and a digest and/or a tag.
/// A digest pins the exact image; a tag alone is resolved at the source when the copy starts.
/// </summary>
public sealed record ImageReference(string RegistryId, string Region, string RepositoryName, string? Digest, string? Tag)
{
    public override string ToString()
    {
        var name = $"{RegistryId}/{Region}/{RepositoryName}";
        if (Tag is not null)
        {
            name += ":" + Tag;
        }

        return Digest is null ? name : name + "@" + Digest;
    }
}
