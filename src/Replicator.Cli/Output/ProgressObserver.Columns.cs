using Spectre.Console;
using Spectre.Console.Rendering;

namespace Replicator.Cli.Output;

/// <summary>The live display's columns, apart from what the observer counts and writes.</summary>
public sealed partial class ProgressObserver
{
    /// <summary>
    /// The live display's columns: the image's bytes, except on the overall bar, whose value is a count of images.
    /// </summary>
    public static ProgressColumn[] Columns() =>
        [new LabelColumn(), new ProgressBarColumn(), new UnwrappedColumn(new PercentageColumn()), new ImageBytesColumn(), new SpinnerColumn()];

    /// <summary>
    /// The bars' text, in at most <see cref="LabelCells"/> cells. Spectre's own <see cref="TaskDescriptionColumn"/>
    /// does not wrap its text, so its column is as wide as the widest text, and a label as wide as the terminal (ECR
    /// allows repository names of 256 characters and tags of 128) left every row without its bar, percentage and bytes,
    /// the label itself cut at its end, where its tag is.
    /// The text is shortened on its rendered segments, after the markup was parsed, so neither an escape (<c>[[</c>)
    /// nor a style (<c>[red]...[/]</c>) can be cut through, and measured in terminal cells (<see cref="Segment.CellCount()"/>),
    /// so a wide character counts for two.
    /// </summary>
    internal sealed class LabelColumn : ProgressColumn
    {
        /// <summary>
        /// What the other columns need beside the text, at their widest: a bar of 10 cells (narrower, it hardly shows
        /// progress; Spectre draws it 40 cells wide when there is room), the percentage (4: "100%"), the bytes (17:
        /// "1023.9/1024.0 KiB"), the spinner (1) and the 4 spaces between the 5 columns.
        /// </summary>
        private const int OtherColumns = 10 + 4 + 17 + 1 + 4;

        /// <summary>The text's least width, on a terminal too narrow for the rule: room for "…" and a typical ":tag".</summary>
        private const int Floor = 16;

        private const string Ellipsis = "\u2026";

        protected override bool NoWrap => true;

        /// <summary>
        /// The cells the text may take on a terminal <paramref name="width"/> columns wide: what the other columns leave
        /// (<see cref="OtherColumns"/>), and no less than <see cref="Floor"/>. A bounded share rather than a fixed width,
        /// so that a short label is not padded and a wide terminal shows a long one whole.
        /// </summary>
        public static int LabelCells(int width) => Math.Max(Floor, width - OtherColumns);

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            var text = new Markup((task.Description ?? string.Empty).ReplaceLineEndings(string.Empty).Trim());
            var segments = ((IRenderable)text).Render(options, int.MaxValue).Where(s => !s.IsLineBreak && !s.IsControlCode);
            var shown = new Paragraph { Justification = Justify.Right, Overflow = Overflow.Ellipsis };
            // The overall bar's text starts with its counts ("N of M image(s)"): it keeps its start. An image's label
            // keeps its end, where the tag or digest is.
            foreach (var (part, style) in Shorten([.. segments], LabelCells(options.ConsoleSize.Width), keepStart: ReferenceEquals(task.Tag, OverallTag)))
            {
                shown.Append(part, style);
            }

            return shown;
        }

        /// <summary>
        /// <paramref name="segments"/> in at most <paramref name="cells"/> cells: whole when they fit; else their start
        /// and "…" (<paramref name="keepStart"/>), or their start, "…" and their end, the end taking at least half the
        /// room and all of the label's last part (from its last '@' or ':', the digest or tag) when that fits.
        /// </summary>
        internal static IReadOnlyList<(string Text, Style Style)> Shorten(IReadOnlyList<Segment> segments, int cells, bool keepStart)
        {
            // One entry per character as the terminal shows it (a surrogate pair is one), with its style and width.
            var runes = new List<(string Text, Style Style, int Cells)>();
            foreach (var segment in segments)
            {
                foreach (var rune in segment.Text.EnumerateRunes())
                {
                    var part = rune.ToString();
                    runes.Add((part, segment.Style, new Segment(part).CellCount()));
                }
            }

            if (runes.Sum(r => r.Cells) <= cells)
            {
                return [.. segments.Select(s => (s.Text, s.Style))];
            }

            var room = Math.Max(0, cells - 1);
            var plain = string.Concat(runes.Select(r => r.Text));
            var at = plain.LastIndexOf('@');
            var last = at >= 0 ? at : plain.LastIndexOf(':');
            var lastCells = last < 0 ? 0 : new Segment(plain[last..]).CellCount();
            var tail = keepStart ? 0 : Math.Min(room, Math.Max(lastCells, room / 2));
            var head = room - tail;

            var start = TakeCells(runes, head);
            // "not …" reads as a word left whole: the ellipsis goes against the last character kept.
            while (start.Count > 0 && string.IsNullOrWhiteSpace(start[^1].Text))
            {
                start.RemoveAt(start.Count - 1);
            }

            var end = TakeCells(Enumerable.Reverse(runes), tail);
            end.Reverse();
            var ellipsisStyle = (start.Count > 0 ? start[^1] : end.Count > 0 ? end[0] : runes[0]).Style;
            return [.. start.Select(r => (r.Text, r.Style)), (Ellipsis, ellipsisStyle), .. end.Select(r => (r.Text, r.Style))];
        }

        private static List<(string Text, Style Style, int Cells)> TakeCells(IEnumerable<(string Text, Style Style, int Cells)> runes, int cells)
        {
            var taken = new List<(string Text, Style Style, int Cells)>();
            var used = 0;
            foreach (var rune in runes)
            {
                if (used + rune.Cells > cells)
                {
                    break;
                }

                taken.Add(rune);
                used += rune.Cells;
            }

            return taken;
        }
    }

    /// <summary>
    /// <paramref name="inner"/>, never wrapped (<see cref="ImageBytesColumn.NoWrap"/> says why): on a terminal too narrow
    /// for the label's floor, the bar gives up its width before the percentage is stacked a character a row.
    /// </summary>
    private sealed class UnwrappedColumn(ProgressColumn inner) : ProgressColumn
    {
        protected override bool NoWrap => true;

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) => inner.Render(options, task, deltaTime);

        public override int? GetColumnWidth(RenderOptions options) => inner.GetColumnWidth(options);
    }

    /// <summary>The image bars' bytes; nothing on the overall bar, whose value is a number of images.</summary>
    private sealed class ImageBytesColumn : ProgressColumn
    {
        private readonly DownloadedColumn _bytes = new();

        /// <summary>
        /// Never wrapped, so that the bar alone gives up the width a long label takes. Spectre narrows the widest of the
        /// columns that may wrap down to the next widest, then those two together (its table's width collapse, on each
        /// redraw: https://github.com/spectreconsole/spectre.console, Table): with the label at its cap the bar and the
        /// bytes shared 27 cells, 14 and 13, and the bytes of an image of hundreds of MiB ("123.4/567.8 MiB") wrapped
        /// their unit onto a row of its own under every such bar. <see cref="LabelColumn"/>'s cap leaves the bytes their
        /// 17 cells and the bar 10.
        /// </summary>
        protected override bool NoWrap => true;

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            ReferenceEquals(task.Tag, OverallTag) ? Text.Empty : _bytes.Render(options, task, deltaTime);

        public override int? GetColumnWidth(RenderOptions options) => _bytes.GetColumnWidth(options);
    }
}
