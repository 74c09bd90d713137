using Replicator.Cli.Demo;
using Spectre.Console;

namespace Replicator.Cli.Output;

/// <summary>The demo's proof: each manifest's source digest beside what every destination holds.</summary>
public static class DemoTable
{
    public static Table Render(IReadOnlyList<ProofRow> rows, IReadOnlyList<string> destinations)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(destinations);
        var table = new Table().Title("Replicas").AddColumns("Repository", "Tag", "Manifest", "Source digest");
        foreach (var destination in destinations)
        {
            table.AddColumn(destination);
        }

        table.AddColumn(new TableColumn("Match").Centered());
        foreach (var row in rows)
        {
            var cells = new List<Spectre.Console.Rendering.IRenderable>
            {
                new Text(row.Repository),
                new Text(row.Tag ?? "-"),
                new Text(row.What),
                new Text(Format.ShortDigest(row.SourceDigest)),
            };
            cells.AddRange(row.DestinationDigests.Select(d => new Text(d is null ? "missing" : Format.ShortDigest(d))));
            cells.Add(new Markup(row.Matches ? "[green]✓[/]" : "[red]✗[/]"));
            table.AddRow(cells);
        }

        var matched = rows.Count(r => r.Matches);
        table.Caption(matched == rows.Count
            ? $"all {rows.Count} manifests identical in {string.Join(" and ", destinations)}"
            : $"{rows.Count - matched} of {rows.Count} manifests differ or are missing");
        return table;
    }
}
