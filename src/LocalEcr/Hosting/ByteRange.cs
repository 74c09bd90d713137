using System.Globalization;

namespace LocalEcr.Hosting;

/// <summary>One HTTP byte range (RFC 9110 section 14.1.2), resolved against a length; inclusive end.</summary>
internal readonly record struct ByteRange(long Start, long End)
{
    public long Length => End - Start + 1;

    /// <summary>Null header: the whole blob. Returns false when the range cannot be satisfied.</summary>
    public static bool TryResolve(string? header, long length, out ByteRange range, out bool partial)
    {
        range = new ByteRange(0, length - 1);
        partial = false;
        if (string.IsNullOrWhiteSpace(header))
        {
            return true;
        }

        var value = header.Trim();
        if (!value.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) || value.Contains(',', StringComparison.Ordinal))
        {
            // Multiple or foreign ranges: serve the whole blob, which a server may always do.
            return true;
        }

        var spec = value[6..];
        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            return true;
        }

        var first = spec[..dash].Trim();
        var last = spec[(dash + 1)..].Trim();
        partial = true;
        if (first.Length == 0)
        {
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var suffix) || suffix == 0 || length == 0)
            {
                return false;
            }

            range = new ByteRange(Math.Max(0, length - suffix), length - 1);
            return true;
        }

        if (!long.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var start) || start >= length)
        {
            return false;
        }

        var end = length - 1;
        if (last.Length > 0)
        {
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out end) || end < start)
            {
                return false;
            }

            end = Math.Min(end, length - 1);
        }

        range = new ByteRange(start, end);
        return true;
    }
}
