using Replicator.Cli.Commands;
using Replicator.Core.Replication;
using Spectre.Console;

namespace Replicator.Cli.Output;

/// <summary>The summary table of sync and copy: one row per image and destination.</summary>
public static class ResultTables
{
    public static Table Summary(IReadOnlyList<ImageRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var table = new Table().Title("Summary")
            .AddColumns("Repository", "Tag", "Destination", "Outcome", "Digest", "Layers copied", "Layers skipped", "Bytes", "Time", "Error");
        foreach (var run in runs)
        {
            foreach (var d in run.Result.Destinations)
            {
                table.AddRow(
                    new Text(run.Repository),
                    new Text(run.Tag ?? "-"),
                    new Text(d.Destination.ToString()),
                    new Markup($"[{Outcomes.Colour(d.Outcome)}]{Outcomes.Word(d.Outcome)}[/]"),
                    new Text(Format.ShortDigest(d.Digest)),
                    new Text(d.LayersCopied.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    new Text(d.LayersSkipped.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    new Text(Format.Bytes(d.BytesCopied)),
                    new Text(Format.Duration(d.Duration)),
                    new Text(d.Outcome == ReplicationOutcome.Failed ? Format.Failure(d) : string.Empty));
            }
        }

        var all = runs.SelectMany(r => r.Result.Destinations).ToList();
        table.Caption(
            $"{runs.Count} image(s), {all.Count(d => d.Outcome == ReplicationOutcome.Replicated)} copied, " +
            $"{all.Count(d => d.Outcome == ReplicationOutcome.UpToDate)} up to date, {all.Count(d => d.Outcome == ReplicationOutcome.Skipped)} skipped, " +
            $"{all.Count(d => d.Outcome == ReplicationOutcome.Failed)} failed, {Format.Bytes(all.Sum(d => d.BytesCopied))} copied");
        return table;
    }
}
