using System.Text.RegularExpressions;
using Replicator.Cli.Verification;
using Replicator.Core.Ecr.Model;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Replicator.Cli.Output;

/// <summary>
/// verify's table: one row per tag and destination, and one per referrer of a tagged image ("v1 > referrer"), written
/// a repository at a time (one table each, <see cref="TableWriter"/>) as soon as that repository is compared, after a
/// first line naming the source and destinations. A source image that is archived and absent from a destination is its
/// own row, "archived, not replicated", and its own count in the closing line, outside the drift. A destination that
/// could not be read is one row per repository, tag "-", "unreadable", counted in the drift; its reasons follow the
/// closing line, one line each, since a table cell would wrap them. An image whose referrers the source would not list
/// is a row "v1 > referrers", "referrers not listed", counted and explained the same way. Only the counts and the
/// reasons (a bounded number of them) are kept from one repository to the next.
/// </summary>
public sealed partial class VerifyTable(CliConsole console) : IVerifyOutput
{
    /// <summary>Reason lines at most per kind; the reasons of a misconfigured destination repeat, the lines need not.</summary>
    public const int MaxReasons = 100;

    private readonly Reasons _unreadable = new();
    private readonly Reasons _unlisted = new();

    public void Begin(string sourceRegion, IReadOnlyList<string> destinations)
    {
        ArgumentNullException.ThrowIfNull(destinations);
        console.Line($"Verify: {sourceRegion} -> {string.Join(", ", destinations)}");
    }

    public void Write(IReadOnlyList<DriftEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var table = new TableWriter(console, () => new Table().AddColumns("Repository", "Tag", "Destination", "Source digest", "Destination digest", "Status"));
        foreach (var e in entries)
        {
            table.Add(Row(e));
        }

        table.Flush();

        // Grouped as the lines read: an unreadable destination's repositories under its reason; a repository's tags
        // whose referrers were not listed under the source's reason (the same for every destination, so each tag once).
        foreach (var group in entries.Where(e => e.Status == DriftStatus.Unreadable).GroupBy(e => (e.Destination, e.Reason)))
        {
            _unreadable.Add(group.Key.Destination, group.Key.Reason, group.Select(e => e.Repository).Distinct(StringComparer.Ordinal).ToList());
        }

        foreach (var group in entries.Where(e => e.Status == DriftStatus.ReferrersUnlisted).GroupBy(e => (e.Repository, e.Reason)))
        {
            _unlisted.Add(group.Key.Repository, group.Key.Reason, group.Select(e => e.Tag ?? "-").Distinct(StringComparer.Ordinal).ToList());
        }
    }

    public void End(VerifyCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        console.Line(Caption(counts));
        foreach (var line in _unreadable.Lines("unreadable").Concat(_unlisted.Lines("referrers not listed")))
        {
            console.Line(line);
        }
    }

    /// <summary>The closing line: what was checked when in sync, else the drift; then the archived tags not replicated.</summary>
    public static string Caption(VerifyCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        return (counts.InSync
            ? $"in sync: {counts.InSyncTags} tag(s){(counts.Referrers > 0 ? $" and {counts.Referrers} referrer(s)" : string.Empty)} checked"
            : $"drift: {counts.Missing} missing, {counts.Different} different, {counts.Extra} extra"
                // Only when some destination could not be read, or some referrers not listed, so that a report
                // without them reads as before.
                + (counts.Unreadable > 0 ? $", {counts.Unreadable} unreadable" : string.Empty)
                + (counts.ReferrersUnlisted > 0 ? $", {counts.ReferrersUnlisted} with referrers not listed" : string.Empty)
                + $" of {counts.Entries}")

            // Not drift, but a gap the operator should see: those tags reach the destinations only once restored.
            + (counts.ArchivedNotReplicated > 0 ? $"; {counts.ArchivedNotReplicated} archived, not replicated (restore them to copy)" : string.Empty)

            // Not drift either: both sides lack a tag the source listed at the start.
            + (counts.DeletedDuringCheck > 0 ? $"; {counts.DeletedDuringCheck} deleted in the source during the check" : string.Empty);
    }

    private static IRenderable[] Row(DriftEntry e) =>
    [
        new Text(e.Repository),
        new Text(e.IsReferrer ? $"{e.Tag} > {e.ArtifactType ?? "referrer"}" : e.Status == DriftStatus.ReferrersUnlisted ? $"{e.Tag} > referrers" : e.Tag ?? "-"),
        new Text(e.Destination),
        new Text(Format.ShortDigest(e.SourceDigest)),
        new Text(Format.ShortDigest(e.DestinationDigest)),
        new Markup(e.Status == DriftStatus.ArchivedNotReplicated
            ? $"[grey]{Describe(e.SourceImageStatus ?? ImageStatus.Archived)}, not replicated[/]"
            : e.Status == DriftStatus.DeletedDuringCheck
            ? "[grey]deleted in source during check[/]"
            : e.Status switch
            {
                DriftStatus.InSync => "[green]in sync[/]",
                DriftStatus.Missing => "[red]missing[/]",
                DriftStatus.Different => "[red]different digest[/]",
                DriftStatus.Unreadable => "[red]unreadable[/]",
                DriftStatus.ReferrersUnlisted => "[red]referrers not listed[/]",
                _ => "[yellow]extra[/]",
            } + ImageStatuses(e)),
    ];

    /// <summary>", source archived", ", destination archived": an image that is not ACTIVE on either side.</summary>
    private static string ImageStatuses(DriftEntry e) =>
        (e.SourceImageStatus is { } source ? $", source {Describe(source)}" : string.Empty)
        + (e.DestinationImageStatus is { } destination ? $", destination {Describe(destination)}" : string.Empty);

    private static string Describe(string imageStatus) => imageStatus switch
    {
        ImageStatus.Archived => "archived",
        ImageStatus.Activating => "being restored",
        _ => Markup.Escape(imageStatus),
    };

    /// <summary>
    /// Reason lines, "KIND: WHO (FIRST, FEW and N more): REASON", in the order they were first met: for each
    /// (who, reason) the first three names and how many there were, for the first <see cref="MaxReasons"/> pairs, then
    /// how many names fell under the others.
    /// </summary>
    private sealed partial class Reasons
    {
        private const int Named = 3;
        private readonly Dictionary<(string Who, string? Reason), (List<string> Names, int Count, string? Shown)> _groups = [];
        private readonly List<(string Who, string? Reason)> _order = [];
        private int _leftOut;

        /// <param name="names">Names new to the group: a repository is written once, so its names are met once.</param>
        public void Add(string who, string? reason, IReadOnlyList<string> names)
        {
            // ECR gives every call its own request id, which an ECR error's reason ends with ("(HTTP 400, request id
            // ...)", EcrException): the same refusal for each repository differs only there, so it is grouped without
            // it, and the line shows the first one's reason, request id included, for a support case.
            var key = (who, reason is null ? null : RequestId().Replace(reason, "request id"));
            if (!_groups.TryGetValue(key, out var group))
            {
                if (_groups.Count >= MaxReasons)
                {
                    _leftOut += names.Count;
                    return;
                }

                group = ([], 0, reason);
                _order.Add(key);
            }

            foreach (var name in names)
            {
                if (group.Names.Count < Named)
                {
                    group.Names.Add(name);
                }

                group.Count++;
            }

            _groups[key] = group;
        }

        public IEnumerable<string> Lines(string kind)
        {
            foreach (var key in _order)
            {
                var (names, count, shown) = _groups[key];
                var more = count > names.Count ? $" and {count - names.Count} more" : string.Empty;
                yield return $"{kind}: {key.Who} ({string.Join(", ", names)}{more}): {shown ?? "unknown error"}";
            }

            if (_leftOut > 0)
            {
                yield return $"{kind}: {_leftOut} more under other reasons, not shown";
            }
        }

        [GeneratedRegex(@"request id [^)\s,]+", RegexOptions.CultureInvariant)]
        private static partial Regex RequestId();
    }
}
