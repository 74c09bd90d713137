using Replicator.Core.Ecr.Model;

namespace Replicator.Cli.Selection;

/// <summary>
/// One tag of one image in one repository (an image with two tags is two entries). <see cref="Status"/> is ECR's
/// <c>imageStatus</c> (ACTIVE, ARCHIVED, ACTIVATING); null when the listing did not say, which is ACTIVE (a listing
/// without a status filter answers ACTIVE images only, botocore ECR model, DescribeImagesFilter.imageStatus).
/// </summary>
public sealed record SelectedImage(string Repository, string Tag, string Digest, DateTimeOffset? PushedAt, long? SizeInBytes, string? Status = null)
{
    /// <summary>Can be pulled: neither archived nor being restored (https://docs.aws.amazon.com/AmazonECR/latest/userguide/archive-image.html).</summary>
    public bool IsActive => Status is null || Status == ImageStatus.Active;
}
