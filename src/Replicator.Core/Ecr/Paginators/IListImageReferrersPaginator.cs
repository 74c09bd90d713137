using Replicator.Core.Ecr.Model;

namespace Replicator.Core.Ecr.Paginators;

/// <summary>Pages of ListImageReferrers, and their Referrers one by one (AWSSDK: <c>IListImageReferrersPaginator</c>).</summary>
public interface IListImageReferrersPaginator
{
    IAsyncEnumerable<ListImageReferrersResponse> Responses { get; }

    IAsyncEnumerable<ImageReferrer> Referrers { get; }
}
