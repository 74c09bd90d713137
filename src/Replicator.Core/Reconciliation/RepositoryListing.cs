using Replicator.Core.Ecr.Model;

namespace Replicator.Core.Reconciliation;

/// <summary>What one repository holds: where each tag points, and every digest (tagged or not). Empty when it does not exist.</summary>
public sealed record RepositoryListing(IReadOnlyDictionary<string, string> Tags, IReadOnlySet<string> Digests)
{
    public static RepositoryListing Empty { get; } = new(new Dictionary<string, string>(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal));

    /// <summary>From image ids (ListImages' shape): a tagged image appears once per tag, an untagged one with its digest only.</summary>
    public static RepositoryListing From(IEnumerable<ImageIdentifier> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        var digests = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            if (id.ImageDigest is not { } digest)
            {
                continue;
            }

            digests.Add(digest);
            if (id.ImageTag is { } tag)
            {
                tags[tag] = digest;
            }
        }

        return new RepositoryListing(tags, digests);
    }
}
