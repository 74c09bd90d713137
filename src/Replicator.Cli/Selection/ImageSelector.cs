using Replicator.Core.Ecr.Model;

namespace Replicator.Cli.Selection;

/// <summary>
/// Pure selection over ListImages/DescribeImages pages. Images are selected by tag: an untagged manifest is either a
/// child of an index (copied with its index) or unreferenced, and ECR push events of untagged images are what the
/// function handles; a backfill copies what people pull, the tags.
/// </summary>
public static class ImageSelector
{
    public static IReadOnlyList<string> SelectRepositories(IEnumerable<string> names, SelectionCriteria criteria)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        return [.. names.Where(criteria.IncludesRepository).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <summary>Every tag matching the tag filter and pushed since <see cref="SelectionCriteria.Since"/>, sorted by tag.</summary>
    public static IReadOnlyList<SelectedImage> SelectImages(string repository, IEnumerable<ImageDetail> details, SelectionCriteria criteria, bool applySince = true)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        var selected = new List<SelectedImage>();
        foreach (var detail in details)
        {
            if (detail.ImageDigest is not { } digest || detail.ImageTags is not { Count: > 0 } tags)
            {
                continue;
            }

            if (applySince && !criteria.IncludesImage(detail))
            {
                continue;
            }

            foreach (var tag in tags.Where(criteria.IncludesTag))
            {
                selected.Add(new SelectedImage(repository, tag, digest, detail.ImagePushedAt, detail.ImageSizeInBytes, detail.ImageStatus));
            }
        }

        return [.. selected.OrderBy(i => i.Tag, StringComparer.Ordinal)];
    }
}
