using Replicator.Core.Ecr.Model;

namespace Replicator.Core.Ecr.Paginators;

internal sealed class DescribeImagesPaginator(IEcrClient client, DescribeImagesRequest request) : IDescribeImagesPaginator
{
    public IAsyncEnumerable<DescribeImagesResponse> Responses => PageWalker.Pages(
        request,
        client.DescribeImagesAsync,
        static r => r.NextToken,
        static (r, token) => r.NextToken = token,
        static page => page.NextToken);

    public IAsyncEnumerable<ImageDetail> ImageDetails => PageWalker.Items(Responses, static page => page.ImageDetails);
}
