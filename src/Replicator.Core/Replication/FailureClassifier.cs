using Amazon.Runtime;
using Replicator.Core.Ecr;
using Replicator.Core.Errors;
using Replicator.Core.Manifests;
using Replicator.Core.Partitions;

namespace Replicator.Core.Replication;

/// <summary>Turns an exception from a destination's copy into an error code, a safe message and a retry verdict.</summary>
internal static class FailureClassifier
{
    public static (string Code, string Message, bool Transient) Classify(Exception exception, string? tag, CancellationToken cancellationToken) => exception switch
    {
        EcrException { ErrorCode: EcrErrorCodes.ImageTagAlreadyExistsException } => (
            ReplicationErrorCodes.ImmutableTagConflict,
            $"tag '{tag}' already points at another digest in the immutable destination repository; retrying cannot fix this",
            false),
        // Reaching here, the repository existed when the copy began (a missing source repository is a skip, a missing
        // destination one is created): it was deleted mid-copy. A redelivery re-reads both sides and either
        // recreates the destination repository or finds the source gone and skips; dead-lettering would lose the image.
        EcrException { ErrorCode: EcrErrorCodes.RepositoryNotFoundException } e => (
            e.ErrorCode,
            $"{e.Message}; the repository was deleted during the copy, a retry recreates it or skips a deleted source",
            true),
        // ECR's LimitExceededException is both throttling (botocore retries it as such) and a hard quota (parts per
        // upload, images per repository). The call runner has already retried it with throttling backoff, a bounded
        // number of times (RetrySettings.MaxRetries): still failing, it is a quota, and the dead-letter queue shows why.
        EcrException { ErrorCode: EcrErrorCodes.LimitExceededException } e => (
            e.ErrorCode,
            $"{e.Message}; still over an ECR service quota after the retries, see docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html",
            false),
        // The same for KMS behind ECR (a KmsException whose kmsError is LimitExceededException): KMS answers its request
        // rate quota with ThrottlingException, and LimitExceededException for a count quota such as grants per key
        // (docs.aws.amazon.com/kms/latest/APIReference/API_CreateGrant.html#API_CreateGrant_Errors), which ECR creates
        // for an encrypted repository. Retried at the call as botocore would retry it, then dead-lettered with its reason
        // rather than redelivered for a day or two.
        EcrException { ErrorCode: EcrErrorCodes.KmsException } e when EcrErrorClassifier.IsKmsQuota(e.KmsError) => (
            e.ErrorCode,
            $"{e.Message}; still over an AWS KMS quota after the retries, see docs.aws.amazon.com/kms/latest/developerguide/limits.html",
            false),
        // The client has refreshed the credentials once and the token is still refused (a role session too short
        // for a long copy, or a clock far off): a redelivery runs with credentials fetched afresh.
        EcrException { ErrorCode: EcrErrorCodes.ExpiredTokenException } e => (e.ErrorCode, e.Message, true),
        // The destination reported these layers (or child manifests) held when the plan was made, and lacked them by
        // PutImage: layers no image references yet "may be cleaned up at any time" (the model's
        // LayerInaccessibleException), as those of a copy cut short before its PutImage are, or someone deleted them
        // meanwhile. Not retried as a call (the same PutImage fails the same way) but as the message: a redelivery
        // checks the destination again and uploads what is missing.
        EcrException { Operation: "PutImage", ErrorCode: EcrErrorCodes.LayersNotFoundException or EcrErrorCodes.ReferencedImagesNotFoundException } e => (
            e.ErrorCode,
            $"{e.Message}; the destination lost what the plan found there, a retry checks it again and uploads what is missing",
            true),
        // A layer's upload session lost (UploadNotFoundException) or holding bytes other than the verified download's
        // (CompleteLayerUpload's InvalidLayerException) after the restarts MaxLayerRestarts allows: what a fresh
        // session cures, so a redelivery, with its backoff, starts the layer over; dead-lettering would lose the image.
        // As InvalidLayerPartException and DigestMismatch past the restarts already are.
        EcrException { ErrorCode: EcrErrorCodes.UploadNotFoundException or EcrErrorCodes.InvalidLayerException } e => (
            e.ErrorCode,
            $"{e.Message}; the layer's upload failed again after the restarts its budget allows, a retry starts it over",
            true),
        // A pull-through cache source whose upstream registry could not serve the layer or the image (botocore's ECR
        // model, GetDownloadUrlForLayer and BatchGetImage). Not retried as a call: the upstream's throttling or outage
        // outlasts a call's backoff, and the redelivery's backoff is the one that fits (as BatchGetImage's per-image
        // UpstreamTooManyRequests and UpstreamUnavailable); a lasting cause reaches the dead-letter queue after the
        // queue's bounded receives.
        EcrException { ErrorCode: EcrErrorCodes.UnableToGetUpstreamLayerException or EcrErrorCodes.UnableToGetUpstreamImageException } e => (
            e.ErrorCode,
            $"{e.Message}; the pull-through cache's upstream registry could not serve it, a retry asks again",
            true),
        EcrException e => (e.ErrorCode, e.Message, e.IsTransient),
        ReplicationException e => (e.ErrorCode, e.Message, e.IsTransient),
        ManifestException e => (ReplicationErrorCodes.InvalidManifest, e.Message, false),
        OperationCanceledException when cancellationToken.IsCancellationRequested => (
            ReplicationErrorCodes.DeadlineExceeded,
            "the deadline ran out before the copy finished; layers already copied are kept and skipped next time",
            true),

        // Anything else is a bug or an unexpected transport failure: let a retry try again, the DLQ catches repeats.
        // Its message (one line, cut; the shells redact it) is what tells the two apart in the DLQ and the logs.
        _ => ("InternalError", Unexpected(exception), true),
    };

    /// <summary>
    /// The source refused to hand out one of the image's layers: GetDownloadUrlForLayer (asked of the source only;
    /// no destination call is) answered LayersNotFoundException or LayerInaccessibleException, both in botocore's ECR
    /// model error list for that operation. The second is what ECR answers for a layer "not associated with an image",
    /// which every layer of an image deleted mid-copy becomes, so the engine asks the source for the image again
    /// before calling it permanent. A destination's LayersNotFoundException (PutImage) is not one of these.
    /// </summary>
    public static bool IsSourceLayerRefused(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is EcrException { Operation: "GetDownloadUrlForLayer", ErrorCode: EcrErrorCodes.LayerInaccessibleException or EcrErrorCodes.LayersNotFoundException })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// KMS refused a call ECR made on the writer's behalf with an access denial: a <c>KmsException</c> whose
    /// <c>kmsError</c> ("the error code returned by KMS", botocore ECR model) is KMS's AccessDeniedException
    /// (<see cref="EcrErrorClassifier.IsKmsAccessDenied"/>). CreateRepository with a key has ECR call kms:CreateGrant and
    /// kms:DescribeKey as the caller (https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html),
    /// and the stack adds those grants in the update that first sets DestinationKmsKeys, in parallel with the function.
    /// </summary>
    public static bool IsKmsAccessDenied(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is EcrException { ErrorCode: EcrErrorCodes.KmsException } kms && EcrErrorClassifier.IsKmsAccessDenied(kms.KmsError))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// STS refused AssumeRole of a destination role, or SSM refused GetParameter (or its KMS decryption) of a
    /// destination's credentials, with an access denial: the error the function role meets while a just-added
    /// sts:AssumeRole or ssm:GetParameter grant is still propagating (the stack changes those policies in parallel with
    /// the function), as it meets ECR's AccessDeniedException for a just-added write grant.
    /// </summary>
    public static bool IsCredentialsDenied(Exception exception) =>
        exception is ReplicationException { ErrorCode: ReplicationErrorCodes.DestinationCredentialsUnavailable, InnerException: AmazonServiceException { ErrorCode: "AccessDenied" or "AccessDeniedException" } };

    /// <summary>
    /// The service refused the access key itself as unknown: ECR's <c>UnrecognizedClientException</c>, or STS's
    /// <c>InvalidClientTokenId</c> for an AssumeRole signed with it (<see cref="EcrErrorCodes.IsRefusedKey"/>), on a
    /// destination signed with a stored key (<paramref name="signsWithStoredKey"/>,
    /// <see cref="IDestinationClients.SignsWithStoredKey"/>). The ECR client and the SSM credentials source have read the
    /// parameter again and sent once more by then, so the key refused is the one the parameter holds now. A key just
    /// created is refused so for some seconds: IAM is eventually consistent
    /// (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency;
    /// a new access key "not immediately active", https://github.com/aws/aws-sdk-js/issues/559; botocore retries its own
    /// tests' InvalidClientTokenId for it, https://github.com/boto/botocore/pull/3600). Not for the replicator's own
    /// credentials or a role session STS issued: those are valid when handed out, and a refusal of them (an opt-in
    /// region, a token of the wrong version) does not pass with time.
    /// </summary>
    public static bool IsStoredKeyRefused(Exception exception, bool signsWithStoredKey)
    {
        if (!signsWithStoredKey)
        {
            return false;
        }

        // Inner exceptions count, as for a refused source layer: a part queue hands an upload's error on wrapped. But
        // not the source's GetDownloadUrlForLayer: a shared download's failure reaches every destination, and the key
        // it refused is the source's, not one from this destination's parameter.
        for (var e = exception; e is not null; e = e.InnerException)
        {
            var refused = e switch
            {
                EcrException { Operation: "GetDownloadUrlForLayer" } => false,
                EcrException ecr => EcrErrorCodes.IsRefusedKey(ecr.ErrorCode),
                ReplicationException { ErrorCode: ReplicationErrorCodes.DestinationCredentialsUnavailable, InnerException: AmazonServiceException sts } => EcrErrorCodes.IsRefusedKey(sts.ErrorCode),
                _ => false,
            };
            if (refused)
            {
                return true;
            }
        }

        return false;
    }

    private static string Unexpected(Exception exception) =>
        ErrorText.Quote(exception.Message) is { Length: > 0 } message
            ? $"{exception.GetType().Name} during replication: {message}"
            : $"{exception.GetType().Name} during replication";
}
