namespace Replicator.Core.Ecr.Paginators;

/// <summary>The one rule for following <c>nextToken</c>, shared by every listing.</summary>
internal static class PageTokens
{
    /// <summary>
    /// The token of the next page, or null when <paramref name="next"/> ends the listing (absent or empty). A server
    /// handing back the token it was sent would otherwise page forever, and stopping there would take a partial list
    /// for a complete one: that is an <see cref="EcrErrorCodes.InvalidResponse"/>.
    /// </summary>
    /// <param name="next">The page's <c>nextToken</c>.</param>
    /// <param name="sent">The token the request for that page carried (null for the first page).</param>
    public static string? Next(string? next, string? sent)
    {
        if (string.IsNullOrEmpty(next))
        {
            return null;
        }

        if (next == sent)
        {
            throw new EcrException(EcrErrorCodes.InvalidResponse, "ECR returned the same nextToken it was sent");
        }

        return next;
    }
}
