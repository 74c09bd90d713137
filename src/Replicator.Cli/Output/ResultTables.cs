using Replicator.Cli.Commands;
using Spectre.Console;

namespace Replicator.Cli.Output;

/// <summary>The summary table of sync and copy: one row per image and destination.</summary>
public static class ResultTables
{
    /// <param name="runs">The images that finished (or were interrupted mid-copy).</param>
    /// <param name="stopped">A stop signal cancelled the run: copies it cut short read as interrupted.</param>
    public static Table Summary(IReadOnlyList<ImageRun> runs, bool stopped)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var table = new Table().Title("Summary")
            .AddColumns("Repository", "Tag", "Destination", "Outcome", "Digest", "Layers copied", "Layers skipped", "Bytes", "Time", "Detail");
        var words = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var run in runs)
        {
            foreach (var d in run.Result.Destinations)
            {
                var text = Outcomes.Describe(d, run.Tag, stopped);
                words[text.Word] = words.GetValueOrDefault(text.Word) + 1;
                table.AddRow(
                    new Text(run.Repository),
                    new Text(run.Tag ?? "-"),
                    new Text(d.Destination.ToString()),
                    new Markup($"[{text.Colour}]{Markup.Escape(text.Word)}[/]"),
                    new Text(Format.ShortDigest(d.Digest)),
                    new Text(d.LayersCopied.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    new Text(d.LayersSkipped.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    new Text(Format.Bytes(d.BytesCopied)),
                    new Text(Format.Duration(d.Duration)),
                    new Text(text.Detail));
            }
        }

        // The four counts every run has, then the rarer ones only when they happened.
        string Count(string word) => words.GetValueOrDefault(word).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var rare = new[] { Outcomes.Archived, Outcomes.Deleted, Outcomes.TagMoved, Outcomes.Interrupted }
            .Where(words.ContainsKey)
            .Select(word => $", {Count(word)} {word}");
        table.Caption(
            $"{runs.Count} image(s), {Count(Outcomes.Copied)} copied, {Count(Outcomes.UpToDate)} up to date, {Count(Outcomes.Skipped)} skipped, {Count(Outcomes.Failed)} failed" +
            $"{string.Concat(rare)}, {Format.Bytes(runs.SelectMany(r => r.Result.Destinations).Sum(d => d.BytesCopied))} copied");
        return table;
    }
}
