using Amazon;

namespace Replicator.Cli.Composition;

/// <summary>
/// The regions AWSSDK.Core knows (its endpoints file), to refuse a mistyped region before any call. With an
/// endpoint override (a local ECR) every well-formed name is accepted instead.
/// </summary>
public static class KnownRegions
{
    private static readonly Lazy<HashSet<string>> Names = new(
        () => new HashSet<string>(RegionEndpoint.EnumerableAllRegions.Select(r => r.SystemName), StringComparer.Ordinal));

    public static bool Contains(string region) => Names.Value.Contains(region);
}
