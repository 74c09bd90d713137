namespace Replicator.Core.Ecr.Model;

/// <summary>Values of the ECR model's <c>ImageFailureCode</c> enumeration, sent and received as strings.</summary>
public static class ImageFailureCode
{
    public const string InvalidImageDigest = "InvalidImageDigest";
    public const string InvalidImageTag = "InvalidImageTag";
    public const string ImageTagDoesNotMatchDigest = "ImageTagDoesNotMatchDigest";
    public const string ImageNotFound = "ImageNotFound";
    public const string MissingDigestAndTag = "MissingDigestAndTag";
    public const string ImageReferencedByManifestList = "ImageReferencedByManifestList";
    public const string KmsError = "KmsError";
    public const string UpstreamAccessDenied = "UpstreamAccessDenied";
    public const string UpstreamTooManyRequests = "UpstreamTooManyRequests";
    public const string UpstreamUnavailable = "UpstreamUnavailable";
    public const string ImageInaccessible = "ImageInaccessible";

    /// <summary>
    /// The per-image failure codes of a batch call (BatchGetImage, BatchDeleteImage) a later try can get past: the
    /// pull-through cache's upstream throttling or outage, and <c>KmsError</c>. A <c>KmsError</c> failure carries no
    /// KMS code, so a throttled KMS call for a KMS-encrypted image cannot be told from a disabled key; it is retried like
    /// a <c>KmsException</c> whose code says "throttled", since giving up on a throttle loses the image (or leaves a
    /// replica the source deleted), while a lasting KMS refusal only costs the queue's bounded receives before the
    /// message reaches the dead-letter queue all the same.
    /// </summary>
    public static bool IsTransient(string? failureCode) =>
        failureCode is UpstreamTooManyRequests or UpstreamUnavailable or KmsError;
}
