using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace LocalEcr.Api;

/// <summary>nextToken/maxResults paging over a stable ordering; the token is opaque to clients.</summary>
internal static class Paging
{
    public static (List<T> Page, string? NextToken) Page<T>(IReadOnlyList<T> items, string? nextToken, int? maxResults, int defaultMax)
    {
        var start = nextToken is null ? 0 : Decode(nextToken);
        var size = maxResults ?? defaultMax;
        var page = items.Skip(start).Take(size).ToList();
        var end = start + page.Count;
        return (page, end < items.Count ? Encode(end) : null);
    }

    private static string Encode(int offset) =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes("localecr:" + offset.ToString(CultureInfo.InvariantCulture)));

    private static int Decode(string token)
    {
        try
        {
            var text = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(token));
            if (text.StartsWith("localecr:", StringComparison.Ordinal)
                && int.TryParse(text.AsSpan(9), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                return offset;
            }
        }
        catch (FormatException)
        {
        }

        throw EcrException.InvalidParameter("Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid NextToken'");
    }
}
