using Replicator.Cli.Selection;

namespace Replicator.Cli.Inventory;

/// <summary>
/// One source repository's selected images, sorted by tag, and the account (registry id) that holds them as
/// DescribeImages reported it (null when the listing named none, as for a repository with no image).
/// <paramref name="InactiveTags"/> counts the tags the selection names whose image is archived or being restored:
/// left out (nothing can pull them), but said, so that a backfill does not read as complete.
/// </summary>
public sealed record SourceRepository(string Name, string? RegistryId, IReadOnlyList<SelectedImage> Images, int InactiveTags = 0)
{
    /// <summary>What the run says of the tags it leaves out; null when there are none.</summary>
    public string? InactiveSummary => InactiveTags == 0
        ? null
        : $"{InactiveTags} tag(s) of archived images left out (restore them in the source to copy them)";
}
