using Replicator.Core.Ecr.Paginators;

namespace Replicator.Core.Ecr;

/// <summary>
/// Paginated operations as async enumerations, shaped like AWSSDK's <c>client.Paginators.DescribeImages(request).ImageDetails</c>.
/// The pages follow <c>nextToken</c>; as in AWSSDK, the paginator sets <c>NextToken</c> on the request it was given.
/// </summary>
public interface IEcrPaginators
{
    IDescribeRepositoriesPaginator DescribeRepositories(Model.DescribeRepositoriesRequest request);

    IDescribeImagesPaginator DescribeImages(Model.DescribeImagesRequest request);

    /// <summary>
    /// Not in botocore's paginators-1.json (so not in AWSSDK), but the operation pages with nextToken/maxResults
    /// like the others, and a subject can have more referrers than one page holds.
    /// </summary>
    IListImageReferrersPaginator ListImageReferrers(Model.ListImageReferrersRequest request);
}
