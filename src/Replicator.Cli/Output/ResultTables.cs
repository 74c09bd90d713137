using Replicator.Cli.Commands;
using Spectre.Console;

namespace Replicator.Cli.Output;

/// <summary>
/// The end of sync and copy: every image and destination has had its line as it finished (<see cref="ProgressObserver"/>),
/// so the end repeats only those that are not done, the first <see cref="RunTally.MaxNotDone"/> of them (in a long run
/// they scrolled away), and one summary line of counts.
/// </summary>
public static class ResultTables
{
    /// <summary>The not-done destinations, one row each; null when every destination is done.</summary>
    public static Table? NotDone(RunTally tally)
    {
        ArgumentNullException.ThrowIfNull(tally);
        var rows = tally.NotDone;
        if (rows.Count == 0)
        {
            return null;
        }

        var table = new Table().Title("Not done")
            .AddColumns("Repository", "Tag", "Destination", "Outcome", "Digest", "Layers copied", "Layers skipped", "Bytes", "Time", "Detail");
        foreach (var (repository, tag, d, text) in rows)
        {
            table.AddRow(
                new Text(repository),
                new Text(tag ?? "-"),
                new Text(d.Destination.ToString()),
                new Markup($"[{text.Colour}]{Markup.Escape(text.Word)}[/]"),
                new Text(Format.ShortDigest(d.Digest)),
                new Text(d.LayersCopied.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Text(d.LayersSkipped.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Text(Format.Bytes(d.BytesCopied)),
                new Text(Format.Duration(d.Duration)),
                new Text(text.Detail));
        }

        if (tally.NotDoneCount > rows.Count)
        {
            table.Caption($"the first {rows.Count} of {tally.NotDoneCount}; the others are in the lines above");
        }

        return table;
    }

    /// <summary>The run's last line: "Summary: " and the counts (<see cref="RunTally.Caption"/>).</summary>
    public static string Summary(RunTally tally)
    {
        ArgumentNullException.ThrowIfNull(tally);
        return "Summary: " + tally.Caption();
    }
}
