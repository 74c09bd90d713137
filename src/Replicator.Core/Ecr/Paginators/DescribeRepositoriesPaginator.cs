using Replicator.Core.Ecr.Model;

namespace Replicator.Core.Ecr.Paginators;

internal sealed class DescribeRepositoriesPaginator(IEcrClient client, DescribeRepositoriesRequest request) : IDescribeRepositoriesPaginator
{
    public IAsyncEnumerable<DescribeRepositoriesResponse> Responses => PageWalker.Pages(
        request,
        client.DescribeRepositoriesAsync,
        static r => r.NextToken,
        static (r, token) => r.NextToken = token,
        static page => page.NextToken);

    public IAsyncEnumerable<Repository> Repositories => PageWalker.Items(Responses, static page => page.Repositories);
}
