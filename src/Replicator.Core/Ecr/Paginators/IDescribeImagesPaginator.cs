using Replicator.Core.Ecr.Model;

namespace Replicator.Core.Ecr.Paginators;

/// <summary>Pages of DescribeImages, and their ImageDetails one by one (AWSSDK: <c>IDescribeImagesPaginator</c>).</summary>
public interface IDescribeImagesPaginator
{
    IAsyncEnumerable<DescribeImagesResponse> Responses { get; }

    IAsyncEnumerable<ImageDetail> ImageDetails { get; }
}
