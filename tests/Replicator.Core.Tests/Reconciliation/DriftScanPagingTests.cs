using Moq;
using Replicator.Core.Ecr;
using Replicator.Core.Reconciliation;
using Replicator.Core.Replication;

namespace Replicator.Core.Tests.Reconciliation;

/// <summary>
/// The listings' page sizes are ECR's maxResults ranges (botocore's ECR model: DescribeRepositories and DescribeImages
/// 1..1000, ListImageReferrers 1..50): a size outside them is refused when the scanner is built, not by ECR on every page.
/// </summary>
public sealed class DriftScanPagingTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(EcrLimits.DescribeMaxResults, EcrLimits.ListImageReferrersMaxResults)]
    public void The_bounds_of_ECRs_ranges_are_taken(int pageSize, int referrersPageSize) =>
        Assert.Null(new DriftScanPaging { PageSize = pageSize, ReferrersPageSize = referrersPageSize }.Validate());

    [Theory]
    [InlineData(0, 1, "PageSize 0 is not within 1..1000")]
    [InlineData(1001, 1, "PageSize 1001 is not within 1..1000")]
    [InlineData(1, 0, "ReferrersPageSize 0 is not within 1..50")]
    [InlineData(1, 51, "ReferrersPageSize 51 is not within 1..50")]
    public void A_size_outside_ECRs_range_is_refused_when_the_scanner_is_built(int pageSize, int referrersPageSize, string expected)
    {
        var paging = new DriftScanPaging { PageSize = pageSize, ReferrersPageSize = referrersPageSize };

        var error = Assert.Throws<ArgumentException>(() => new DriftScanner(
            new Mock<IEcrClient>(MockBehavior.Strict).Object, new Mock<IDestinationClients>(MockBehavior.Strict).Object, [], RepositoryMapping.Identity, new DriftSelection(), paging: paging));

        Assert.Equal(expected, paging.Validate());
        Assert.Equal("paging", error.ParamName);
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }
}
