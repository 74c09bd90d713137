using Replicator.Core.Ecr;

namespace Replicator.Core.Reconciliation;

/// <summary>
/// The page sizes of <see cref="DriftScanner"/>'s listings. The defaults are ECR's largest pages (fewest reads); a
/// test sets small ones to walk many pages over a few images.
/// </summary>
public sealed record DriftScanPaging
{
    /// <summary>DescribeRepositories and DescribeImages: maxResults 1..1000 (botocore ECR model).</summary>
    public int PageSize { get; init; } = EcrLimits.DescribeMaxResults;

    /// <summary>ListImageReferrers: maxResults 1..50 (botocore ECR model, FiftyMaxResults).</summary>
    public int ReferrersPageSize { get; init; } = EcrLimits.ListImageReferrersMaxResults;

    public static DriftScanPaging Default { get; } = new();

    /// <summary>Null when ECR accepts both sizes, else what is wrong.</summary>
    public string? Validate() =>
        PageSize is < 1 or > EcrLimits.DescribeMaxResults ? $"PageSize {PageSize} is not within 1..{EcrLimits.DescribeMaxResults}"
        : ReferrersPageSize is < 1 or > EcrLimits.ListImageReferrersMaxResults ? $"ReferrersPageSize {ReferrersPageSize} is not within 1..{EcrLimits.ListImageReferrersMaxResults}"
        : null;
}
