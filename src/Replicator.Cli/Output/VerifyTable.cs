using Replicator.Cli.Verification;
using Replicator.Core.Ecr.Model;
using Spectre.Console;

namespace Replicator.Cli.Output;

/// <summary>
/// verify's table: one row per tag and destination, and one per referrer of a tagged image ("v1 > referrer"). A source
/// image that is archived and absent from a destination is its own row, "archived, not replicated", and its own count
/// in the caption, outside the drift. A destination that could not be read is one row per repository, tag "-",
/// "unreadable", counted in the caption's drift; its reasons follow the table, one line each (<see cref="Reasons"/>),
/// since a table cell would wrap them. An image whose referrers the source would not list is a row "v1 > referrers",
/// "referrers not listed", counted and explained the same way.
/// </summary>
public static class VerifyTable
{
    public static Table Render(VerifyReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var table = new Table().Title($"Verify: {report.SourceRegion} -> {string.Join(", ", report.Destinations)}")
            .AddColumns("Repository", "Tag", "Destination", "Source digest", "Destination digest", "Status");
        foreach (var e in report.Entries)
        {
            table.AddRow(
                new Text(e.Repository),
                new Text(e.IsReferrer ? $"{e.Tag} > {e.ArtifactType ?? "referrer"}" : e.Status == DriftStatus.ReferrersUnlisted ? $"{e.Tag} > referrers" : e.Tag ?? "-"),
                new Text(e.Destination),
                new Text(Format.ShortDigest(e.SourceDigest)),
                new Text(Format.ShortDigest(e.DestinationDigest)),
                new Markup(e.Status == DriftStatus.ArchivedNotReplicated
                    ? $"[grey]{Describe(e.SourceImageStatus ?? ImageStatus.Archived)}, not replicated[/]"
                    : e.Status switch
                    {
                        DriftStatus.InSync => "[green]in sync[/]",
                        DriftStatus.Missing => "[red]missing[/]",
                        DriftStatus.Different => "[red]different digest[/]",
                        DriftStatus.Unreadable => "[red]unreadable[/]",
                        DriftStatus.ReferrersUnlisted => "[red]referrers not listed[/]",
                        _ => "[yellow]extra[/]",
                    } + ImageStatuses(e)));
        }

        table.Caption((report.InSync
            ? $"in sync: {report.Entries.Count(e => e.Status == DriftStatus.InSync && !e.IsReferrer)} tag(s){Referrers(report)} checked"
            : $"drift: {report.Missing} missing, {report.Different} different, {report.Extra} extra{Unreadable(report)}{ReferrersUnlisted(report)} of {report.Entries.Count}")
            + ArchivedNotReplicated(report));
        return table;
    }

    /// <summary>Only when some destination could not be read, so that a report without one reads as before.</summary>
    private static string Unreadable(VerifyReport report) => report.Unreadable is var n and > 0 ? $", {n} unreadable" : string.Empty;

    /// <summary>Only when the source would not list some image's referrers, likewise.</summary>
    private static string ReferrersUnlisted(VerifyReport report) => report.ReferrersUnlisted is var n and > 0 ? $", {n} with referrers not listed" : string.Empty;

    /// <summary>
    /// Why each unreadable destination could not be read: one plain line per destination and reason (the reason is
    /// already one redacted line), naming its repositories, the first few of them. Then why the source would not list
    /// some images' referrers: one line per repository and reason, naming its tags, the first few of them (the source
    /// refused, so the line is the same for every destination).
    /// </summary>
    public static IReadOnlyList<string> Reasons(VerifyReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return [
            .. report.Entries.Where(e => e.Status == DriftStatus.Unreadable)
                .GroupBy(e => (e.Destination, e.Reason))
                .Select(g => $"unreadable: {g.Key.Destination} ({FirstFew(g.Select(e => e.Repository))}): {g.Key.Reason ?? "unknown error"}"),
            .. report.Entries.Where(e => e.Status == DriftStatus.ReferrersUnlisted)
                .GroupBy(e => (e.Repository, e.Reason))
                .Select(g => $"referrers not listed: {g.Key.Repository} ({FirstFew(g.Select(e => e.Tag ?? "-"))}): {g.Key.Reason ?? "unknown error"}"),
        ];
    }

    private static string FirstFew(IEnumerable<string> names)
    {
        const int named = 3;
        var distinct = names.Distinct(StringComparer.Ordinal).ToList();
        return string.Join(", ", distinct.Take(named)) + (distinct.Count > named ? $" and {distinct.Count - named} more" : string.Empty);
    }

    /// <summary>Not drift, but a gap the operator should see: those tags reach the destinations only once restored.</summary>
    private static string ArchivedNotReplicated(VerifyReport report) =>
        report.ArchivedNotReplicated is var n and > 0 ? $"; {n} archived, not replicated (restore them to copy)" : string.Empty;

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

    private static string Referrers(VerifyReport report) => report.Entries.Count(e => e.IsReferrer) is var n and > 0 ? $" and {n} referrer(s)" : string.Empty;
}
