using Replicator.Core.Ecr.Model;

namespace Replicator.Core.Ecr.Paginators;

internal sealed class ListImageReferrersPaginator(IEcrClient client, ListImageReferrersRequest request) : IListImageReferrersPaginator
{
    public IAsyncEnumerable<ListImageReferrersResponse> Responses => PageWalker.Pages(
        request,
        client.ListImageReferrersAsync,
        static r => r.NextToken,
        static (r, token) => r.NextToken = token,
        static page => page.NextToken);

    public IAsyncEnumerable<ImageReferrer> Referrers => PageWalker.Items(Responses, static page => page.Referrers);
}
