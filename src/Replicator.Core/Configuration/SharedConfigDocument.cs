using System.Text;

namespace Replicator.Core.Configuration;

/// <summary>
/// One shared config or credentials file, parsed as the AWS CLI parses it: botocore reads both files with Python's
/// <c>configparser.RawConfigParser</c> and its defaults (botocore/configloader.py, <c>raw_config_parse</c>;
/// https://docs.python.org/3/library/configparser.html, "Supported INI File Structure"):
/// <list type="bullet">
/// <item><c>name = value</c> or <c>name: value</c>, split at the first <c>=</c> or <c>:</c>; names compared in lower
/// case, values trimmed, a <c>#</c> or <c>;</c> after a value kept as part of it (no inline comments).</item>
/// <item>A line indented deeper than the key line above it continues that key's value: the value is its lines joined
/// with <c>\n</c> (blank lines between them kept, trailing ones dropped). botocore then reads a value whose first line
/// is empty (<c>s3 =</c>, <c>ecr =</c>) as <c>key = value</c> sub-settings (<c>_parse_nested</c>); any other value of
/// several lines stays one string, which the AWS CLI refuses where it must be a region and reads as false where it must
/// be true or false.</item>
/// <item>A file configparser or <c>_parse_nested</c> refuses makes every AWS CLI command fail with
/// <c>ConfigParseError</c> ("Unable to parse config file"), whichever profile is asked for: a line that is neither a
/// <c>[section]</c> header nor a setting, a setting before the first header, a section or (within one section) a key
/// given twice, and a sub-setting without <c>=</c>. <see cref="Parse"/> refuses the same files, naming the line.</item>
/// </list>
/// </summary>
internal sealed class SharedConfigDocument
{
    /// <summary>configparser's default section: its keys are every other section's that the section does not set.</summary>
    public const string DefaultSection = "DEFAULT";

    private readonly List<Section> _sections;
    private readonly Section _defaults;

    private SharedConfigDocument(List<Section> sections, Section defaults)
    {
        _sections = sections;
        _defaults = defaults;
    }

    /// <summary>The section names in file order, <see cref="DefaultSection"/> left out: configparser's <c>sections()</c>.</summary>
    public IEnumerable<string> Headers => _sections.Select(s => s.Header);

    /// <summary>
    /// The value of <paramref name="key"/> in section <paramref name="header"/>, else in <see cref="DefaultSection"/>
    /// when that section exists; null when neither has it. configparser lends the default section's keys to every section
    /// that does not set them (https://docs.python.org/3/library/configparser.html, "default_section"), so the AWS CLI
    /// takes a <c>use_fips_endpoint = true</c> written under <c>[DEFAULT]</c> as every profile's. A value of several
    /// lines is returned joined, as configparser gives it.
    /// </summary>
    public string? Value(string header, string key)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(key);
        return Named(header) is { } section ? section.Value(key) ?? _defaults.Value(key) : null;
    }

    /// <summary>
    /// True when section <paramref name="header"/> exists and has a key, its own or one it takes from
    /// <see cref="DefaultSection"/>: configparser's <c>options()</c> of it is not empty.
    /// </summary>
    public bool HasSettings(string header) => Named(header) is { } section && (section.Options.Count > 0 || _defaults.Options.Count > 0);

    private Section? Named(string header) => _sections.Find(s => s.Header == header);

    /// <summary>
    /// The sub-settings of a value whose first line is empty, as botocore's <c>_parse_nested</c> reads them: each further
    /// non-blank line split at its first <c>=</c>, both sides trimmed, names kept as written; none for any other value.
    /// </summary>
    public static IReadOnlyList<(string Name, string Value)> Nested(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.StartsWith('\n'))
        {
            return [];
        }

        var settings = new List<(string, string)>();
        foreach (var line in value.Split('\n'))
        {
            var trimmed = line.Trim();
            var separator = trimmed.IndexOf('=', StringComparison.Ordinal);
            if (separator >= 0)
            {
                settings.Add((trimmed[..separator].Trim(), trimmed[(separator + 1)..].Trim()));
            }
        }

        return settings;
    }

    /// <summary>
    /// Parses <paramref name="lines"/>, or throws a <see cref="SettingException"/> naming <paramref name="file"/> and the
    /// first line botocore refuses.
    /// </summary>
    /// <param name="file">The file as a message names it: "the shared config file PATH".</param>
    public static SharedConfigDocument Parse(IReadOnlyList<string> lines, string file)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var sections = new List<Section>();
        var defaults = new Section(DefaultSection);
        Section? current = null;
        List<string>? value = null;
        var keyIndent = 0;
        var blanks = 0;
        for (var number = 1; number <= lines.Count; number++)
        {
            var raw = lines[number - 1];
            var line = raw.Trim();
            if (line.StartsWith('#') || line.StartsWith(';'))
            {
                continue;
            }

            if (line.Length == 0)
            {
                // Kept inside a value only when a continuation line follows (configparser strips the value's end).
                blanks++;
                continue;
            }

            var indent = raw.Length - raw.TrimStart().Length;
            if (value is not null && indent > keyIndent)
            {
                value.AddRange(Enumerable.Repeat(string.Empty, blanks));
                value.Add(line);
                blanks = 0;
                continue;
            }

            blanks = 0;
            keyIndent = indent;
            value = null;
            if (Header(line) is { } header)
            {
                // configparser lets [DEFAULT] come again (only its keys may not), any other section once.
                if (header == DefaultSection)
                {
                    current = defaults;
                    continue;
                }

                if (sections.Exists(s => s.Header == header))
                {
                    throw Refused(file, number, $"section [{header}] is given a second time");
                }

                current = new Section(header);
                sections.Add(current);
                continue;
            }

            // configparser refuses any line before the first header as such (MissingSectionHeaderError), setting or not.
            // The refused line is named by its number, never quoted: see Refused.
            if (current is null)
            {
                throw Refused(file, number, "the line comes before the first [section] header");
            }

            var separator = line.IndexOfAny(['=', ':']);
            var name = separator < 0 ? string.Empty : line[..separator].Trim().ToLowerInvariant();
            if (name.Length == 0)
            {
                throw Refused(file, number, "the line is neither a [section] header nor a name = value setting");
            }

            if (current.Options.Exists(o => o.Name == name))
            {
                throw Refused(file, number, $"{name} is given a second time in section [{current.Header}]");
            }

            value = [line[(separator + 1)..].Trim()];
            current.Options.Add((name, value, number));
        }

        // botocore parses the sub-settings of every section's keys, [DEFAULT]'s among them as each section inherits them.
        foreach (var section in sections.Count > 0 ? sections.Append(defaults) : sections)
        {
            foreach (var (name, valueLines, number) in section.Options)
            {
                if (valueLines[0].Length == 0 && valueLines.Skip(1).Any(l => l.Length > 0 && !l.Contains('=', StringComparison.Ordinal)))
                {
                    throw Refused(file, number, $"a sub-setting of {name} (on the lines indented under it) has no '='");
                }
            }
        }

        return new SharedConfigDocument(sections, defaults);
    }

    /// <summary>
    /// The section name of a header line: configparser's <c>\[(?P&lt;header&gt;.+)\]</c> matched at the line's start, so
    /// the text between the <c>[</c> and the line's last <c>]</c>, spaces kept; null when the line is no header.
    /// </summary>
    private static string? Header(string line)
    {
        var close = line.LastIndexOf(']');
        return line[0] == '[' && close > 1 ? line[1..close] : null;
    }

    /// <remarks>
    /// The refused line's text is never quoted, only its number: both files hold secret keys and session tokens
    /// (https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html), and a refused line can be a piece of
    /// one: a key pasted with a hard line break in it leaves its second half (no '=' in it) on a line that is neither a
    /// header nor a setting. A piece shorter than a whole key is too short for any redactor's pattern to recognise (a
    /// secret access key is 40 characters), and the CLI prints this message. botocore names neither the line nor its
    /// text ("Unable to parse config file: PATH", botocore/exceptions.py, ConfigParseError).
    /// </remarks>
    private static SettingException Refused(string file, int line, string problem) =>
        new(file, $"cannot be parsed, as the AWS CLI cannot parse it (botocore ConfigParseError): line {line}: {problem}");

    private sealed class Section(string header)
    {
        public string Header { get; } = header;

        /// <summary>Each key (lower case), the lines of its value, and the line it is set on.</summary>
        public List<(string Name, List<string> Lines, int Line)> Options { get; } = [];

        public string? Value(string key)
        {
            var lower = key.ToLowerInvariant();
            return Options.Find(o => o.Name == lower) is { Lines: { } lines } ? string.Join('\n', lines) : null;
        }
    }

    /// <summary>
    /// The words of a section name as Python's <c>shlex.split</c> gives them (POSIX mode): split at spaces, tabs and line
    /// breaks, <c>'...'</c> taken literally, <c>"..."</c> with <c>\"</c> and <c>\\</c> escaped, <c>\</c> escaping any
    /// character outside quotes; null where shlex raises (an unclosed quote, a trailing <c>\</c>), which botocore reads as
    /// no profile (configloader.py, <c>_parse_section</c>).
    /// </summary>
    internal static IReadOnlyList<string>? ShellWords(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is ' ' or '\t' or '\r' or '\n')
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }

                continue;
            }

            inWord = true;
            switch (c)
            {
                case '\\':
                    if (++i == text.Length)
                    {
                        return null;
                    }

                    word.Append(text[i]);
                    break;
                case '\'':
                    var close = text.IndexOf('\'', i + 1);
                    if (close < 0)
                    {
                        return null;
                    }

                    word.Append(text, i + 1, close - i - 1);
                    i = close;
                    break;
                case '"':
                    for (i++; ; i++)
                    {
                        if (i == text.Length)
                        {
                            return null;
                        }

                        if (text[i] == '"')
                        {
                            break;
                        }

                        if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\')
                        {
                            i++;
                        }

                        word.Append(text[i]);
                    }

                    break;
                default:
                    word.Append(c);
                    break;
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }
}
