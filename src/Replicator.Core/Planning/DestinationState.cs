namespace Replicator.Core.Planning;

/// <summary>
/// What one destination repository already holds. <see cref="BlobDigests"/> are the layers
/// BatchCheckLayerAvailability reported AVAILABLE; <see cref="ManifestDigests"/> the manifests found by digest;
/// <see cref="TagDigest"/> the digest the tag points at there (null when the tag is absent).
/// When the repository does not exist the sets are ignored: it holds nothing.
/// </summary>
public sealed record DestinationState(
    bool RepositoryExists,
    IReadOnlySet<string> BlobDigests,
    IReadOnlySet<string> ManifestDigests,
    string? TagDigest)
{
    public static DestinationState Missing { get; } = new(false, EmptySet, EmptySet, null);

    public static DestinationState Empty { get; } = new(true, EmptySet, EmptySet, null);

    /// <summary>
    /// The account ECR named as the destination registry when it described the root image (DescribeImages'
    /// <c>registryId</c>); null when the root is not there. Not used by the planner.
    /// </summary>
    public string? RegistryId { get; init; }

    private static IReadOnlySet<string> EmptySet => new HashSet<string>(StringComparer.Ordinal);
}
