using System.Runtime.CompilerServices;

namespace Replicator.Core.Ecr.Paginators;

/// <summary>Follows <c>nextToken</c> from page to page until ECR returns none.</summary>
internal static class PageWalker
{
    public static async IAsyncEnumerable<TResponse> Pages<TRequest, TResponse>(
        TRequest request,
        Func<TRequest, CancellationToken, Task<TResponse>> call,
        Func<TRequest, string?> getToken,
        Action<TRequest, string?> setToken,
        Func<TResponse, string?> nextToken,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var sent = getToken(request);
            var page = await call(request, cancellationToken);
            yield return page;

            if (PageTokens.Next(nextToken(page), sent) is not { } next)
            {
                yield break;
            }

            setToken(request, next);
        }
    }

    public static async IAsyncEnumerable<TItem> Items<TResponse, TItem>(
        IAsyncEnumerable<TResponse> pages,
        Func<TResponse, IEnumerable<TItem>?> items,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var page in pages.WithCancellation(cancellationToken))
        {
            foreach (var item in items(page) ?? [])
            {
                yield return item;
            }
        }
    }
}
