namespace Replicator.Core.Ecr;

/// <summary>
/// Error codes the replicator branches on: ECR's modelled exceptions (botocore's ECR model), the generic AWS
/// ones, and the codes this client gives transport failures.
/// </summary>
public static class EcrErrorCodes
{
    public const string RequestTimeout = "RequestTimeout";
    public const string ConnectionFailure = "ConnectionFailure";

    /// <summary>The endpoint's host does not exist (NXDOMAIN) for a region this build does not know: permanent, never retried.</summary>
    public const string UnknownRegionHostNotFound = "UnknownRegionHostNotFound";

    /// <summary>The region's ECR FIPS endpoint host does not exist (NXDOMAIN): ECR has no FIPS endpoint there; permanent, never retried.</summary>
    public const string FipsHostNotFound = "FipsHostNotFound";
    public const string InvalidResponse = "InvalidResponse";
    public const string UnknownError = "UnknownError";
    public const string InternalFailure = "InternalFailure";
    public const string ServiceUnavailable = "ServiceUnavailable";

    public const string ThrottlingException = "ThrottlingException";
    public const string ThrottleException = "ThrottleException";
    public const string AccessDeniedException = "AccessDeniedException";
    public const string UnrecognizedClientException = "UnrecognizedClientException";
    public const string InvalidClientTokenId = "InvalidClientTokenId";
    public const string InvalidSignatureException = "InvalidSignatureException";
    public const string ExpiredTokenException = Signing.ExpiredTokenCodes.Json;

    /// <summary>
    /// Whether the service refused the access key itself as unknown (a deleted or deactivated key): ECR and the other AWS
    /// JSON services answer UnrecognizedClientException, STS InvalidClientTokenId
    /// (https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html).
    /// </summary>
    public static bool IsRefusedKey(string? code) => code is UnrecognizedClientException or InvalidClientTokenId;

    public const string ServerException = "ServerException";
    public const string InvalidParameterException = "InvalidParameterException";
    public const string RepositoryNotFoundException = "RepositoryNotFoundException";
    public const string RepositoryAlreadyExistsException = "RepositoryAlreadyExistsException";
    public const string ImageNotFoundException = "ImageNotFoundException";
    public const string ImageAlreadyExistsException = "ImageAlreadyExistsException";
    public const string ImageTagAlreadyExistsException = "ImageTagAlreadyExistsException";
    public const string ImageDigestDoesNotMatchException = "ImageDigestDoesNotMatchException";
    public const string LayersNotFoundException = "LayersNotFoundException";
    public const string LayerInaccessibleException = "LayerInaccessibleException";
    public const string LayerAlreadyExistsException = "LayerAlreadyExistsException";
    public const string LayerPartTooSmallException = "LayerPartTooSmallException";
    public const string InvalidLayerException = "InvalidLayerException";
    public const string InvalidLayerPartException = "InvalidLayerPartException";
    public const string EmptyUploadException = "EmptyUploadException";
    public const string UploadNotFoundException = "UploadNotFoundException";
    public const string ReferencedImagesNotFoundException = "ReferencedImagesNotFoundException";
    public const string LimitExceededException = "LimitExceededException";
    public const string LifecyclePolicyNotFoundException = "LifecyclePolicyNotFoundException";
    public const string RepositoryPolicyNotFoundException = "RepositoryPolicyNotFoundException";
    public const string KmsException = "KmsException";

    /// <summary>
    /// ListImageReferrers on a pull-through cache repository whose upstream registry cannot list the referrers
    /// (botocore's ECR model: "usually caused because of an issue with the Secrets Manager secret containing the
    /// credentials for the upstream registry"). Not retried: see <see cref="Replication.ReferrerListing.IsLastingFailure"/>.
    /// </summary>
    public const string UnableToListUpstreamImageReferrersException = "UnableToListUpstreamImageReferrersException";

    /// <summary>
    /// GetDownloadUrlForLayer on a pull-through cache repository whose upstream registry could not serve the layer
    /// (botocore's ECR model: "There was an issue getting the upstream layer matching the pull through cache rule").
    /// Not retried as a call; the destination fails transient, and the message's redelivery (with its backoff) tries
    /// again, as for BatchGetImage's per-image <c>UpstreamTooManyRequests</c> and <c>UpstreamUnavailable</c>.
    /// </summary>
    public const string UnableToGetUpstreamLayerException = "UnableToGetUpstreamLayerException";

    /// <summary>
    /// BatchGetImage on a pull-through cache repository whose upstream image could not be pulled (botocore's ECR model:
    /// "The image or images were unable to be pulled using the pull through cache rule. This is usually caused because
    /// of an issue with the Secrets Manager secret containing the credentials for the upstream registry"). Transient
    /// as <see cref="UnableToGetUpstreamLayerException"/> is: a lasting cause reaches the dead-letter queue after the
    /// queue's bounded receives.
    /// </summary>
    public const string UnableToGetUpstreamImageException = "UnableToGetUpstreamImageException";
    public const string TooManyTagsException = "TooManyTagsException";
    public const string InvalidTagParameterException = "InvalidTagParameterException";
}
