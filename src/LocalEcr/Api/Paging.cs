using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace LocalEcr.Api;

/// <summary>
/// nextToken/maxResults paging over a stable ordering. The token is opaque to clients and, as the model's nextToken
/// documentation puts it, belongs to "a previous paginated ... request": it carries a hash of the request it
/// continues (operation, registry, region and every member but nextToken and maxResults), so a token replayed on
/// another repository, filter or operation is refused instead of paging silently through the wrong listing.
/// </summary>
internal static class Paging
{
    private const string Prefix = "localecr:";

    public static (List<T> Page, string? NextToken) Page<T>(EcrCall call, IReadOnlyList<T> items, string? nextToken, int? maxResults, int defaultMax)
    {
        var scope = Scope(call);
        var start = nextToken is null ? 0 : Decode(nextToken, scope);
        var size = maxResults ?? defaultMax;
        var page = items.Skip(start).Take(size).ToList();
        var end = start + page.Count;
        return (page, end < items.Count ? Encode(end, scope) : null);
    }

    /// <summary>What a token is valid for: the request without its paging members, hashed.</summary>
    private static string Scope(EcrCall call)
    {
        var text = new StringBuilder().Append(call.Operation).Append('|').Append(call.RegistryId).Append('|').Append(call.Region);
        if (call.Body.ValueKind == JsonValueKind.Object)
        {
            foreach (var member in call.Body.EnumerateObject().Where(m => m.Name is not ("nextToken" or "maxResults")).OrderBy(m => m.Name, StringComparer.Ordinal))
            {
                text.Append('|').Append(member.Name).Append('=').Append(member.Value.GetRawText());
            }
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    private static string Encode(int offset, string scope) =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes($"{Prefix}{offset.ToString(CultureInfo.InvariantCulture)}:{scope}"));

    private static int Decode(string token, string scope)
    {
        try
        {
            var text = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(token));
            var colon = text.LastIndexOf(':');
            if (text.StartsWith(Prefix, StringComparison.Ordinal) && colon > Prefix.Length
                && string.Equals(text[(colon + 1)..], scope, StringComparison.Ordinal)
                && int.TryParse(text.AsSpan(Prefix.Length, colon - Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
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
