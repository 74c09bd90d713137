using Replicator.Core.Ecr.Model;

namespace Replicator.Core.Ecr.Paginators;

internal sealed class EcrPaginators(IEcrClient client) : IEcrPaginators
{
    public IDescribeRepositoriesPaginator DescribeRepositories(DescribeRepositoriesRequest request) =>
        new DescribeRepositoriesPaginator(client, request ?? throw new ArgumentNullException(nameof(request)));

    public IDescribeImagesPaginator DescribeImages(DescribeImagesRequest request) =>
        new DescribeImagesPaginator(client, request ?? throw new ArgumentNullException(nameof(request)));

    public IListImageReferrersPaginator ListImageReferrers(ListImageReferrersRequest request) =>
        new ListImageReferrersPaginator(client, request ?? throw new ArgumentNullException(nameof(request)));
}
