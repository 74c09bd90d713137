using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;

namespace Replicator.Core.Reconciliation;

/// <summary>
/// The source registry's account when no image named it: an empty repository, or one with untagged images only,
/// lists no registry id. Without it, an <c>ACCOUNT:REGION</c> destination of the caller's own account would be taken
/// for another account's and reached through a role that is not granted there.
/// </summary>
public static class SourceAccount
{
    /// <summary>
    /// The registry id DescribeRepositories reports for <paramref name="repository"/> (every repository carries its
    /// <c>registryId</c>: docs.aws.amazon.com/AmazonECR/latest/APIReference/API_Repository.html); null when the
    /// repository does not exist.
    /// </summary>
    public static async Task<string?> OfRepositoryAsync(IEcrClient source, string repository, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        try
        {
            var response = await source.DescribeRepositoriesAsync(new DescribeRepositoriesRequest { RepositoryNames = [repository] }, cancellationToken);
            return response.Repositories?.Select(r => r.RegistryId).FirstOrDefault(id => id is not null);
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.RepositoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// The account of the registry <paramref name="source"/> reads by default, the caller's (ECR's
    /// <c>registryId</c>: "If you do not specify a registry, the default registry is assumed"), from one
    /// DescribeRepositories of one repository; null when the registry has none.
    /// </summary>
    public static async Task<string?> OfRegistryAsync(IEcrClient source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var response = await source.DescribeRepositoriesAsync(new DescribeRepositoriesRequest { MaxResults = 1 }, cancellationToken);
        return response.Repositories?.Select(r => r.RegistryId).FirstOrDefault(id => id is not null);
    }
}
