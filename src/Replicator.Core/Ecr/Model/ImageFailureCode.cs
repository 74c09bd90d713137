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
}
