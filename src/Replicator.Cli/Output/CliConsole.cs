using Replicator.Cli.Composition;
using Replicator.Function.Observability;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Replicator.Cli.Output;

/// <summary>
/// Where the CLI writes. On a terminal: Spectre with colours and live progress. Redirected (a file, a pipe, a test's
/// StringWriter): no ANSI escapes at all, no live rendering, a wide fixed width so tables never wrap digests.
/// Errors go to the error writer as single plain lines.
/// </summary>
public sealed class CliConsole
{
    /// <summary>Redirected output has no width; this keeps a row of the widest table on one line.</summary>
    public const int RedirectedWidth = 200;

    private readonly TextWriter _out;
    private readonly TextWriter _error;
    private readonly Lock _gate = new();

    public CliConsole(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        IsTerminal = context.IsTerminal;
        ErrorRedirected = context.ErrorRedirected;
        _out = context.Out;
        _error = context.Error;
        var noColor = !string.IsNullOrEmpty(context.Environment.GetEnvironmentVariable("NO_COLOR"));
        Ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(context.Out),
            Ansi = IsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = IsTerminal && !noColor ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = IsTerminal ? InteractionSupport.Yes : InteractionSupport.No,
        });
        if (!IsTerminal)
        {
            Ansi.Profile.Width = RedirectedWidth;
        }
    }

    public bool IsTerminal { get; }

    /// <summary>stderr is not a terminal, so nothing written there lands among live bars (<see cref="CliContext.ErrorRedirected"/>).</summary>
    public bool ErrorRedirected { get; }

    public IAnsiConsole Ansi { get; }

    public void Write(IRenderable renderable)
    {
        lock (_gate)
        {
            Ansi.Write(renderable);
        }
    }

    /// <summary>
    /// A plain line of text (escaped: never read as Spectre markup). Redirected, it is written as is: Spectre would
    /// wrap it at <see cref="RedirectedWidth"/>, and a line that grep, a CI log or a script reads must stay one line
    /// however long its repository name or error.
    /// </summary>
    public void Line(string text) => Line(text, Style.Plain);

    /// <summary>
    /// One destination's result: the outcome word, padded so the labels line up, then <paramref name="rest"/>. On a
    /// terminal the word takes its colour; redirected it is a plain line, never wrapped (<see cref="Line(string)"/>).
    /// </summary>
    public void Outcome(OutcomeText outcome, string rest)
    {
        ArgumentNullException.ThrowIfNull(rest);
        var word = $"{outcome.Word,-10}";
        if (!IsTerminal)
        {
            Line($"{word} {rest}");
            return;
        }

        lock (_gate)
        {
            WriteRows(new Markup($"[{outcome.Colour}]{Markup.Escape(word)}[/] {Markup.Escape(rest)}"));
        }
    }

    /// <summary>A line in a secondary style (dim on a terminal, plain when redirected).</summary>
    public void Dim(string text) => Line(text, new Style(decoration: Decoration.Dim));

    private void Line(string text, Style style)
    {
        lock (_gate)
        {
            if (IsTerminal)
            {
                WriteRows(new Text(text, style));
            }
            else
            {
                _out.Write(text);
                _out.Write(Environment.NewLine);
            }
        }
    }

    /// <summary>
    /// A line on the terminal, written as the rows it wraps into at the terminal's width, each erasing its row first
    /// (EL, "erase in line", CSI 2 K: ECMA-48 8.3.41, parameter 2 the whole line). These lines are written while the
    /// live bars run, and Spectre writes them where the bars were: it moves the cursor up over the rows it drew (CUU)
    /// and writes over them without erasing them, then draws the bars again below. A line that wraps wrote its second
    /// and later rows over the bars' rows, and where such a row was shorter than the bar under it, the rest of that bar
    /// stayed on the screen after the text ("385.3 KiB 100% 385.3", "KiBf 1 image(s) ━━━ 0%", stale bytes after a
    /// failure's request id): Spectre.Console issue #415, https://github.com/spectreconsole/spectre.console/issues/415.
    /// </summary>
    private void WriteRows(IRenderable line) => Ansi.Write(new ErasedRows(line));

    /// <summary>EL with parameter 2 (ECMA-48 8.3.41): erases the whole line the cursor is on, leaving the cursor where it is.</summary>
    internal const string EraseLine = "\u001b[2K";

    /// <summary>
    /// <paramref name="line"/>'s rows at the width it is rendered at, each led by <see cref="EraseLine"/>. Rendered
    /// in the console's pipeline, so after the live display has put the cursor at its first row. Without ANSI (a
    /// TERM=dumb terminal, where Spectre draws no live bars either) the rows are written as they are: Spectre writes a
    /// control segment whatever the terminal supports.
    /// </summary>
    private sealed class ErasedRows(IRenderable line) : Renderable
    {
        protected override IEnumerable<Segment> Render(RenderOptions options, int maxWidth)
        {
            foreach (var row in Segment.SplitLines(line.Render(options, maxWidth), maxWidth))
            {
                if (options.Ansi)
                {
                    yield return Segment.Control(EraseLine);
                }

                foreach (var segment in row)
                {
                    yield return segment;
                }

                yield return Segment.LineBreak;
            }
        }
    }

    /// <summary>
    /// A diagnostic while a command runs (a retry, a renewal to be tried again): one redacted line on stderr, so stdout
    /// holds the results alone and <c>replicator sync ... &gt; results.txt</c> keeps them apart.
    /// </summary>
    public void Notice(string text)
    {
        lock (_gate)
        {
            _error.Write(Redactor.Redact(text));
            _error.Write('\n');
            _error.Flush();
        }
    }

    /// <summary>
    /// Machine output (JSON): written as is, never through Spectre's renderer, and flushed. Written in parts (verify
    /// --json, a repository at a time): the last part ends the line.
    /// </summary>
    public void Raw(TextWriter output, string text, bool endLine)
    {
        ArgumentNullException.ThrowIfNull(output);
        lock (_gate)
        {
            output.Write(text);
            if (endLine)
            {
                output.Write('\n');
            }

            output.Flush();
        }
    }

    /// <summary>The one line an error that stops a command prints: <c>error: </c> and the message, redacted as a notice is.</summary>
    public void Error(string message) => Notice("error: " + ErrorText.OneLine(message));
}
