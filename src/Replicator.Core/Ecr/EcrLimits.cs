namespace Replicator.Core.Ecr;

/// <summary>
/// The limits ECR sets on requests and uploads, in one place, each with its source: the botocore ECR model
/// (botocore/data/ecr/2015-09-21/service-2.json) and ECR's service quotas
/// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html).
/// </summary>
public static class EcrLimits
{
    /// <summary>BatchCheckLayerAvailability takes 1..100 layerDigests (botocore ECR model, BatchedOperationLayerDigestList).</summary>
    public const int LayerAvailabilityBatchSize = 100;

    /// <summary>BatchGetImage takes 1..100 imageIds (botocore ECR model, ImageIdentifierList).</summary>
    public const int GetImageBatchSize = 100;

    /// <summary>DescribeRepositories and DescribeImages accept maxResults 1..1000 (botocore ECR model, MaxResults).</summary>
    public const int DescribeMaxResults = 1000;

    /// <summary>ListImageReferrers accepts maxResults 1..50 (botocore ECR model, FiftyMaxResults).</summary>
    public const int ListImageReferrersMaxResults = 50;

    /// <summary>Every layer part but the last is at least 5 MiB (service quotas, "Minimum layer part size").</summary>
    public const long MinPartSize = 5L * 1024 * 1024;

    /// <summary>
    /// The largest part UploadLayerPart takes: the model's LayerPartBlob allows 20,971,520 bytes, while the quotas page
    /// documents 10 MiB (<see cref="DocumentedMaxPartSize"/>).
    /// </summary>
    public const long MaxPartSize = 20L * 1024 * 1024;

    /// <summary>The part size the quotas page documents as the maximum ("Maximum layer part size", 10 MiB).</summary>
    public const long DocumentedMaxPartSize = 10L * 1024 * 1024;

    /// <summary>Parts per layer upload (service quotas, "Layer parts", 4,200).</summary>
    public const int MaxParts = 4200;

    /// <summary>The largest layer ECR stores (service quotas, "Maximum layer size", 52,000 MiB, not adjustable).</summary>
    public const long MaxLayerSize = 52_000L * 1024 * 1024;
}
