using Replicator.Core.Ecr.Model;

namespace Replicator.Core.Ecr.Paginators;

internal sealed class ListImagesPaginator(IEcrClient client, ListImagesRequest request) : IListImagesPaginator
{
    public IAsyncEnumerable<ListImagesResponse> Responses => PageWalker.Pages(
        request,
        client.ListImagesAsync,
        static r => r.NextToken,
        static (r, token) => r.NextToken = token,
        static page => page.NextToken);

    public IAsyncEnumerable<ImageIdentifier> ImageIds => PageWalker.Items(Responses, static page => page.ImageIds);
}
