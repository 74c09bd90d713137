using System.Text;

namespace Replicator.Core.Tests.Fuzzing;

/// <summary>
/// Seeded mutations of a JSON text, aimed at parsers: byte flips, cuts, duplicated and deleted spans, and
/// JSON-aware damage (a value swapped for another type, a string blown up, nesting added).
/// Shared with Replicator.Function.Tests as a linked file.
/// </summary>
internal sealed class JsonMutator(int seed)
{
    private static readonly string[] Tokens =
    [
        "{", "}", "[", "]", ",", ":", "\"", "\\", "null", "true", "false", "-1", "0", "1e309", "-9223372036854775809",
        "18446744073709551616", "1.5", "\"\"", "\"../../etc/passwd\"", "\"sha256:\"", "\"\\u0000\"", "\"\\ud800\"", "NaN",
        "\"x\":1", "[[[[[[[[[[", "]]]]]]]]]]", "{\"a\":{\"a\":{\"a\":{}}}}", "\u00e9", "\uffff", "\0", "\n", "/*c*/",
    ];

    private readonly Random _random = new(seed);

    public Random Random => _random;

    public string Mutate(string json)
    {
        var text = new StringBuilder(json);
        var rounds = _random.Next(1, 4);
        for (var i = 0; i < rounds; i++)
        {
            MutateOnce(text);
        }

        return text.ToString();
    }

    private void MutateOnce(StringBuilder text)
    {
        var at = text.Length == 0 ? 0 : _random.Next(text.Length);
        switch (_random.Next(9))
        {
            case 0 when text.Length > 0:
                text[at] = (char)(text[at] ^ (1 << _random.Next(7)));
                break;
            case 1:
                text.Length = at;
                break;
            case 2 when text.Length > 0:
                text.Remove(at, Math.Min(_random.Next(1, 16), text.Length - at));
                break;
            case 3:
                text.Insert(at, Tokens[_random.Next(Tokens.Length)]);
                break;
            case 4 when text.Length > 0:
                var length = Math.Min(_random.Next(1, 64), text.Length - at);
                text.Insert(at, text.ToString(at, length));
                break;
            case 5:
                ReplaceValue(text, Tokens[_random.Next(Tokens.Length)]);
                break;
            case 6:
                ReplaceValue(text, "\"" + new string((char)_random.Next('a', 'z' + 1), _random.Next(1_000, 300_000)) + "\"");
                break;
            case 7:
                var depth = _random.Next(10, 2_000);
                ReplaceValue(text, new string('[', depth) + new string(']', depth));
                break;
            default:
                text.Insert(at, (char)_random.Next(0, 0x3000));
                break;
        }
    }

    /// <summary>Replaces the value after a random <c>":</c> (the end of a property name) up to the next , } or ].</summary>
    private void ReplaceValue(StringBuilder text, string replacement)
    {
        var s = text.ToString();
        var colons = new List<int>();
        for (var i = s.IndexOf("\":", StringComparison.Ordinal); i >= 0; i = s.IndexOf("\":", i + 2, StringComparison.Ordinal))
        {
            colons.Add(i + 2);
        }

        if (colons.Count == 0)
        {
            text.Insert(0, replacement);
            return;
        }

        var start = colons[_random.Next(colons.Count)];
        var end = s.IndexOfAny([',', '}', ']'], start);
        end = end < 0 ? s.Length : end;
        text.Remove(start, end - start).Insert(start, replacement);
    }
}
