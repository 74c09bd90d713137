using Replicator.Cli.Selection;

namespace Replicator.Cli.Inventory;

/// <summary>
/// One source repository's selected images, sorted by tag, and the account (registry id) that holds them as
/// DescribeImages reported it (null when the listing named none, as for a repository with no image).
/// </summary>
public sealed record SourceRepository(string Name, string? RegistryId, IReadOnlyList<SelectedImage> Images);
