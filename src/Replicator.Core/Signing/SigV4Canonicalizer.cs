using System.Globalization;
using System.Text;

namespace Replicator.Core.Signing;

/// <summary>
/// The canonical forms of path, query and headers defined by AWS Signature Version 4
/// (docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html). Pure functions.
/// </summary>
internal static class SigV4Canonicalizer
{
    public static string CanonicalPath(string path, bool normalize)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "/";
        }

        var segments = path.Split('/');
        if (normalize)
        {
            segments = RemoveDotSegments(segments);
        }

        var builder = new StringBuilder(path.Length + 16);
        for (var i = 0; i < segments.Length; i++)
        {
            if (i > 0)
            {
                builder.Append('/');
            }

            AppendEncoded(builder, segments[i]);
        }

        var result = builder.ToString();
        return result.Length == 0 ? "/" : result;
    }

    // RFC 3986 section 5.2.4 plus the suite's rule that empty segments collapse ("//a//" -> "/a/").
    private static string[] RemoveDotSegments(string[] segments)
    {
        var output = new List<string>(segments.Length);
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            var last = i == segments.Length - 1;
            if (segment is "." || (segment.Length == 0 && i > 0 && !last))
            {
                if (last)
                {
                    output.Add(string.Empty);
                }

                continue;
            }

            if (segment is "..")
            {
                if (output.Count > 1)
                {
                    output.RemoveAt(output.Count - 1);
                }

                if (last)
                {
                    output.Add(string.Empty);
                }

                continue;
            }

            output.Add(segment);
        }

        if (output.Count == 1)
        {
            output.Add(string.Empty);
        }

        return [.. output];
    }

    public static string CanonicalQuery(IReadOnlyList<KeyValuePair<string, string>> query)
    {
        if (query.Count == 0)
        {
            return string.Empty;
        }

        var pairs = new List<(string Key, string Value)>(query.Count);
        foreach (var (key, value) in query)
        {
            pairs.Add((Encode(key), Encode(value)));
        }

        pairs.Sort(static (a, b) =>
        {
            var byKey = string.CompareOrdinal(a.Key, b.Key);
            return byKey != 0 ? byKey : string.CompareOrdinal(a.Value, b.Value);
        });
        return string.Join('&', pairs.Select(static p => p.Key + "=" + p.Value));
    }

    /// <summary>
    /// Lowercase names, sorted; values trimmed with inner whitespace runs (line folds included) made one
    /// space; repeated headers joined with ',' in their order.
    /// </summary>
    public static (string Canonical, string SignedHeaders) CanonicalHeaders(IEnumerable<KeyValuePair<string, string>> headers)
    {
        var byName = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (name, value) in headers)
        {
            var key = name.Trim().ToLowerInvariant();
            if (!byName.TryGetValue(key, out var values))
            {
                values = [];
                byName.Add(key, values);
            }

            values.Add(CollapseWhitespace(value));
        }

        var canonical = new StringBuilder();
        foreach (var (name, values) in byName)
        {
            canonical.Append(name).Append(':').AppendJoin(',', values).Append('\n');
        }

        return (canonical.ToString(), string.Join(';', byName.Keys));
    }

    private static string CollapseWhitespace(string value)
    {
        var builder = new StringBuilder(value.Length);
        var pendingSpace = false;
        foreach (var c in value.AsSpan().Trim())
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = true;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    public static string Encode(string value)
    {
        var builder = new StringBuilder(value.Length);
        AppendEncoded(builder, value);
        return builder.ToString();
    }

    // URI-encode every byte but the RFC 3986 unreserved characters, with uppercase hex.
    private static void AppendEncoded(StringBuilder builder, string value)
    {
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in value.EnumerateRunes())
        {
            if (rune.IsAscii && IsUnreserved((char)rune.Value))
            {
                builder.Append((char)rune.Value);
                continue;
            }

            var length = rune.EncodeToUtf8(utf8);
            for (var i = 0; i < length; i++)
            {
                builder.Append('%').Append(utf8[i].ToString("X2", CultureInfo.InvariantCulture));
            }
        }
    }

    private static bool IsUnreserved(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~';
}
