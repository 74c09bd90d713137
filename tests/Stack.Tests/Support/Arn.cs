using System.Text.RegularExpressions;

namespace Stack.Tests.Support;

/// <summary>IAM ARN wildcard matching (ArnLike, Resource): '*' any run of characters, '?' one character.</summary>
internal static class Arn
{
    public static bool Matches(string pattern, string arn)
    {
        var regex = "^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$";
        return Regex.IsMatch(arn, regex, RegexOptions.CultureInvariant);
    }

    /// <summary>The six colon-separated fields (arn, partition, service, region, account, resource).</summary>
    public static string[] Fields(string arn)
    {
        var fields = arn.Split(':', 6);
        Assert.True(fields.Length == 6 && fields[0] == "arn", $"not an ARN: {arn}");
        return fields;
    }
}
