using System.Text;

namespace Replicator.Cli.Tests.Support;

/// <summary>
/// What a terminal shows after it has been sent <c>output</c>: enough of a VT100-style screen for what Spectre's live
/// display sends (ECMA-48: printable characters, CR, LF as a pty's output processing turns it into CR LF, cursor up
/// and down (CUU, CUD), erase in line (EL) and erase in display (ED) from the cursor; SGR and private modes such as
/// the cursor's visibility change nothing on the screen and are skipped). A line past the width goes on at the start of
/// the next row. Rows have no bottom: scrolling is not modelled, so row 0 is the first row written.
/// </summary>
internal sealed class TerminalScreen
{
    private readonly int _width;
    private readonly List<char[]> _rows = [];
    private int _row;
    private int _column;

    private TerminalScreen(int width) => _width = width;

    /// <summary>Whether the last control sequence shown or hid the cursor (DECTCEM, CSI ? 25 h / l): true when none did.</summary>
    public bool CursorVisible { get; private set; } = true;

    /// <summary>The screen's rows, trailing blanks trimmed, blank rows at the bottom left out.</summary>
    public IReadOnlyList<string> Rows =>
        [.. _rows.Select(r => new string(r).TrimEnd()).Reverse().SkipWhile(r => r.Length == 0).Reverse()];

    public static TerminalScreen Of(string output, int width)
    {
        var screen = new TerminalScreen(width);
        screen.Feed(output);
        return screen;
    }

    private void Feed(string output)
    {
        for (var i = 0; i < output.Length; i++)
        {
            var c = output[i];
            switch (c)
            {
                case '\r':
                    _column = 0;
                    break;
                case '\n':
                    _row++;
                    _column = 0;
                    break;
                case '\u001b' when i + 1 < output.Length && output[i + 1] == '[':
                    var end = i + 2;
                    while (end < output.Length && !char.IsAsciiLetter(output[end]))
                    {
                        end++;
                    }

                    Control(output[(i + 2)..end], end < output.Length ? output[end] : ' ');
                    i = end;
                    break;
                case '\u001b':
                    // Two-character sequences (DECKPAM's ESC =): nothing on the screen.
                    i++;
                    break;
                default:
                    Put(c);
                    break;
            }
        }
    }

    private void Control(string parameters, char final)
    {
        var n = int.TryParse(parameters, out var value) ? value : 0;
        switch (final)
        {
            case 'A':
                _row = Math.Max(0, _row - Math.Max(n, 1));
                break;
            case 'B':
                _row += Math.Max(n, 1);
                break;
            case 'K':
                var line = Row(_row);
                var (from, to) = n switch { 1 => (0, _column + 1), 2 => (0, _width), _ => (_column, _width) };
                Array.Fill(line, ' ', from, Math.Min(to, _width) - from);
                break;
            case 'J' when n == 0:
                Array.Fill(Row(_row), ' ', _column, _width - _column);
                for (var r = _row + 1; r < _rows.Count; r++)
                {
                    Array.Fill(_rows[r], ' ');
                }

                break;
            case 'h' or 'l' when parameters == "?25":
                CursorVisible = final == 'h';
                break;
        }
    }

    private void Put(char c)
    {
        if (_column >= _width)
        {
            _row++;
            _column = 0;
        }

        Row(_row)[_column++] = c;
    }

    private char[] Row(int row)
    {
        while (_rows.Count <= row)
        {
            _rows.Add(new string(' ', _width).ToCharArray());
        }

        return _rows[row];
    }

    public override string ToString() => new StringBuilder().AppendJoin('\n', Rows).ToString();
}
