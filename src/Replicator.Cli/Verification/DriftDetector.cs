using Replicator.Cli.Selection;

namespace Replicator.Cli.Verification;

/// <summary>
/// Compares one destination repository with the source, tag by tag. Pure. <c>expected</c> are the
/// selected source tags (after --since); <c>sourceTags</c> every source tag within the tag filter, so that a tag
/// older than --since is neither expected nor reported as extra.
/// </summary>
public static class DriftDetector
{
    public static IReadOnlyList<DriftEntry> Compare(
        string repository,
        string destination,
        IReadOnlyList<SelectedImage> expected,
        IReadOnlySet<string> sourceTags,
        IReadOnlyList<SelectedImage>? destinationImages)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(sourceTags);
        var there = (destinationImages ?? []).GroupBy(i => i.Tag, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Digest, StringComparer.Ordinal);
        var entries = new List<DriftEntry>();
        foreach (var image in expected)
        {
            var status = !there.TryGetValue(image.Tag, out var digest) ? DriftStatus.Missing
                : string.Equals(digest, image.Digest, StringComparison.Ordinal) ? DriftStatus.InSync
                : DriftStatus.Different;
            entries.Add(new DriftEntry(repository, image.Tag, destination, image.Digest, digest, status));
        }

        foreach (var (tag, digest) in there.Where(kv => !sourceTags.Contains(kv.Key)).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            entries.Add(new DriftEntry(repository, tag, destination, null, digest, DriftStatus.Extra));
        }

        return entries;
    }
}
