using Spectre.Console;
using Spectre.Console.Rendering;

namespace Replicator.Cli.Output;

/// <summary>
/// Rows written a table at a time: Spectre measures every row of a table before it draws the first, so a table cannot
/// be written as its rows arrive, and one table of a whole registry's rows was held and measured whole (600,000 rows of
/// verify took minutes and gigabytes). The caller writes the table at the end of each group of rows (a repository, in
/// verify and the dry run), and a group longer than <see cref="MaxRows"/> is written in tables of that many rows with
/// the same columns, so what is held is bounded whatever the registry.
/// </summary>
public sealed class TableWriter(CliConsole console, Func<Table> create)
{
    /// <summary>Rows of one table at most; a few thousand lines, still one screen's search away.</summary>
    public const int MaxRows = 1000;

    private Table? _table;

    public void Add(params IRenderable[] cells)
    {
        if (_table is { Rows.Count: >= MaxRows })
        {
            Flush();
        }

        (_table ??= create()).AddRow(cells);
    }

    /// <summary>Writes the rows added since the last call, if any, as one table.</summary>
    public void Flush()
    {
        if (_table is { } table)
        {
            _table = null;
            console.Write(table);
        }
    }
}
