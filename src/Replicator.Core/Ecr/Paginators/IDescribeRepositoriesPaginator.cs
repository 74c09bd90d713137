using Replicator.Core.Ecr.Model;

namespace Replicator.Core.Ecr.Paginators;

/// <summary>Pages of DescribeRepositories, and their Repositories one by one (AWSSDK: <c>IDescribeRepositoriesPaginator</c>).</summary>
public interface IDescribeRepositoriesPaginator
{
    IAsyncEnumerable<DescribeRepositoriesResponse> Responses { get; }

    IAsyncEnumerable<Repository> Repositories { get; }
}
