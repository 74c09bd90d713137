namespace Replicator.Core.Replication;

/// <summary>What happened in one destination.</summary>
public sealed record DestinationResult(
    ReplicationDestination Destination,
    ReplicationOutcome Outcome,
    string? Digest,
    int LayersCopied,
    int LayersSkipped,
    long BytesCopied,
    TimeSpan Duration,
    string? ErrorCode = null,
    string? Message = null,
    bool Transient = false)
{
    /// <summary>When the destination held the image (set by the engine on success): the end of the replication lag.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>
    /// The failure happened before any destination was touched (reading the source, or an invalid request): every
    /// destination of the request carries the same one, so a report names it once, as the source's.
    /// </summary>
    public bool AtSource { get; init; }

    /// <summary>
    /// The account of the registry that holds the image, as ECR reported it (PutImage's <c>image.registryId</c>, or
    /// DescribeImages' for an image that was there): the account the destination's credentials write to, which a
    /// destination written as a bare region does not name. Null when ECR reported none (a failure, or a put that found
    /// the image already there).
    /// </summary>
    public string? RegistryId { get; init; }

    /// <summary>
    /// Foreign (non-distributable) layers the manifests written here name but the copy left out: Windows base layers
    /// the source does not hold either (those it holds are copied), whose manifests give URLs to fetch them from, which
    /// ECR's PutImage does not require to be uploaded.
    /// </summary>
    public int NonDistributableSkipped { get; init; }

    /// <summary>
    /// The tag this destination holds at <see cref="Digest"/> after a success (set by the engine): the request's tag
    /// when the copy moved it there or found it there already. Null when the request named no tag, when the destination
    /// did not succeed, or when the late-event rule left the tag alone because the source's tag names another digest
    /// now (an event that arrived after a newer push of the same tag): the digest was copied, untagged by this request,
    /// and announcing the tag with it would name an image the destination's tag does not point at.
    /// </summary>
    public string? Tag { get; init; }

    /// <summary>
    /// The referrers (signatures, SBOMs, attestations) this copy put into the destination along with the image, in the
    /// order it put them; empty when it put none. A failed destination names those it put before it failed: a retry's
    /// plan no longer holds them, so only this result can announce them. Each is an image the destination now holds whose
    /// own push event may never come to this destination (a lost event healed by the reconciler, a backfill, a region
    /// added later), so the function announces each with a replicated event of its own.
    /// </summary>
    public IReadOnlyList<string> ReferrersPut { get; init; } = [];

    /// <summary>
    /// The subjects this copy put into the destination before the image, a referrer whose push event overtook its
    /// subject's (deepest first: the subject of the subject before the subject); empty when the destination held them.
    /// Named on a failed result too, when the subject's copy wrote before the referrer's own copy failed.
    /// An untagged subject (one platform manifest of an index, signed on its own) has no push event of its own that
    /// would announce it, so the function announces each as it does <see cref="ReferrersPut"/>.
    /// </summary>
    public IReadOnlyList<string> SubjectsPut { get; init; } = [];

    /// <summary>
    /// Failed because the source refused one of the image's layers (<see cref="FailureClassifier.IsSourceLayerRefused"/>):
    /// the engine asks the source whether the image is still there before it reports the result.
    /// </summary>
    internal bool SourceLayerRefused { get; init; }

    /// <summary>
    /// Failed because STS refused to assume the destination's role or SSM refused to read its credentials
    /// (<c>AccessDenied</c>, <c>AccessDeniedException</c>): <see cref="ErrorCode"/> stays
    /// <c>DestinationCredentialsUnavailable</c>, and a caller may treat it as it treats ECR's AccessDeniedException, a
    /// grant that may still be propagating after a stack update (<see cref="FailureClassifier.IsCredentialsDenied"/>).
    /// </summary>
    public bool CredentialsDenied { get; init; }

    /// <summary>
    /// Failed because the service refused the destination's stored access key itself as unknown (ECR's
    /// <c>UnrecognizedClientException</c>, or STS's <c>InvalidClientTokenId</c> for the AssumeRole of the parameter's
    /// role), the key coming from DESTINATION_CREDENTIALS (<see cref="IDestinationClients.SignsWithStoredKey"/>), after
    /// the parameter was read again (<see cref="FailureClassifier.IsStoredKeyRefused"/>). A key just created and put
    /// into the parameter can be refused so for some seconds, as IAM is eventually consistent: a caller may give it the
    /// grace it gives <see cref="CredentialsDenied"/>. <see cref="ErrorCode"/> stays the service's code (ECR's) or
    /// <c>DestinationCredentialsUnavailable</c> (STS's).
    /// </summary>
    public bool KeyRefused { get; init; }

    /// <summary>
    /// Failed because KMS refused ECR's call on the writer's behalf with an access denial: a <c>KmsException</c> whose
    /// <c>kmsError</c> is KMS's <c>AccessDeniedException</c> (<see cref="FailureClassifier.IsKmsAccessDenied"/>), as when
    /// the kms:CreateGrant that CreateRepository with a key needs is still propagating after the stack update that added
    /// it. <see cref="ErrorCode"/> stays <c>KmsException</c>; a caller may give it the grace it gives ECR's own
    /// AccessDeniedException.
    /// </summary>
    public bool KmsAccessDenied { get; init; }

    public bool Succeeded => Outcome is not ReplicationOutcome.Failed;
}
