using Replicator.Core.Ecr.Model;

namespace Replicator.Core.Ecr.Paginators;

/// <summary>Pages of ListImages, and their ImageIds one by one (AWSSDK: <c>IListImagesPaginator</c>).</summary>
public interface IListImagesPaginator
{
    IAsyncEnumerable<ListImagesResponse> Responses { get; }

    IAsyncEnumerable<ImageIdentifier> ImageIds { get; }
}
