namespace LocalEcr;

/// <summary>How a LocalEcr listens and whom it trusts.</summary>
public sealed class LocalEcrOptions
{
    /// <summary>An IP address or "localhost". Loopback by default: the admin endpoint needs no signature.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>0 picks a free port; read the chosen one from <see cref="LocalEcrServer.BaseAddress"/>.</summary>
    public int Port { get; set; }

    public string AccountId { get; set; } = "000000000000";

    public string AccessKey { get; set; } = "test";

    public string SecretKey { get; set; } = "test";

    /// <summary>
    /// Null: the default account's key is a long-term one, refused with any session token. Set: it is a temporary key,
    /// as a Lambda function's own credentials are, accepted only with this token (<c>X-Amz-Security-Token</c>) and
    /// never expiring.
    /// </summary>
    public string? SessionToken { get; set; }

    /// <summary>
    /// The default account's partition (see <see cref="LocalEcrAccount.Partition"/>): its key is accepted only in
    /// requests signed for a region of that partition, as an AWS account and its keys exist in one partition only.
    /// </summary>
    public string Partition { get; set; } = "aws";

    /// <summary>
    /// Accounts besides the default one (<see cref="AccountId"/>, <see cref="AccessKey"/>, <see cref="SecretKey"/>,
    /// <see cref="Partition"/>), each with its own keys and partition. A caller reaches only its own account's
    /// registries, and through STS AssumeRole the roles <c>arn:PARTITION:iam::ID:role/NAME</c> of every account of
    /// its own partition.
    /// </summary>
    public IList<LocalEcrAccount> OtherAccounts { get; } = new List<LocalEcrAccount>();

    /// <summary>
    /// External ids by account: AssumeRole of a role in that account must send it (the trust policy's
    /// <c>sts:ExternalId</c> condition). Accounts not listed take any or none.
    /// </summary>
    public IDictionary<string, string> RequiredExternalIds { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// The clock of STS sessions: when they are issued and when they expire. Null: <see cref="TimeProvider"/>.
    /// Tests move it to expire a session without waiting, while downloads and signatures keep real time.
    /// </summary>
    public TimeProvider? SessionClock { get; set; }

    /// <summary>Where blobs and uploads live. Null: a fresh temporary folder, deleted on dispose.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>
    /// True (the default): the file of an upload whose bytes are not needed (its blob is already stored, or the upload
    /// ended without completing) is kept under <c>DATA/spare-uploads</c> and written over by a later upload, whose
    /// writes then land on pages the page cache already holds. False: every upload starts a new empty file and such a
    /// file is deleted, so every upload writes into new pages, as a registry emptied for each run does (the bench's
    /// throughput section compares against one). What reaches the blob store is the same either way.
    /// </summary>
    public bool SpareUploads { get; set; } = true;

    /// <summary>How long a GetDownloadUrlForLayer URL works (ECR's presigned S3 URLs are short-lived too).</summary>
    public TimeSpan DownloadUrlLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long an image restored from the archive (UpdateImageStorageClass STANDARD) stays ACTIVATING, not pullable,
    /// on <see cref="TimeProvider"/>'s clock. 20 minutes by default: ECR says "You can expect ECR to restore the image
    /// within 20 minutes" (https://docs.aws.amazon.com/AmazonECR/latest/userguide/archive_restore_image.html), so a
    /// client that works against LocalEcr has waited as long as ECR may make it wait. Zero restores at once.
    /// <see cref="LocalEcrServer.FinishRestores"/> ends every restore in progress now.
    /// </summary>
    public TimeSpan RestoreDuration { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>
    /// How long managed signing takes to store the signature of a pushed image a signing rule matches (its status
    /// IN_PROGRESS until then), on <see cref="TimeProvider"/>'s clock; zero signs within the push. AWS does not say how
    /// long AWS Signer takes; 3 seconds by default. <see cref="LocalEcrServer.FinishSigning"/> ends every signing now.
    /// </summary>
    public TimeSpan SigningDuration { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The other reading of a known unknown (docs/fidelity.md, "DescribeImages imageIds and the status filter"): whether
    /// ECR applies <c>filter.imageStatus</c> (ACTIVE when absent) to images asked for by id is not documented. False (the
    /// default) applies it, so an archived image asked by id without ARCHIVED/ANY is ImageNotFoundException; true
    /// describes an image asked by id whatever its status, as an ECR that ignored the filter there would. A client must
    /// behave the same under both.
    /// </summary>
    public bool DescribeImagesByIdIgnoresStatusFilter { get; set; }

    /// <summary>
    /// The third reading of the same known unknown: ECR ignores <c>filter.imageStatus</c> for images asked for by id and
    /// describes ACTIVE ones only there, as DescribeImages does without a filter, so an archived image asked by id is
    /// ImageNotFoundException even with imageStatus ANY. A client must behave the same under it.
    /// </summary>
    public bool DescribeImagesByIdActiveOnly { get; set; }

    /// <summary>
    /// The other reading of a known unknown (docs/fidelity.md, "A tagless push of an archived image"): re-pushing an
    /// image restores it (archive-image.html), but whether a PutImage without a tag of an archived image's digest does,
    /// or is answered ImageAlreadyExistsException and leaves it archived, is not documented. False (the default) restores
    /// it, as the documented re-push; true leaves it archived and refuses the push as already there.
    /// </summary>
    public bool TaglessPushLeavesArchived { get; set; }

    /// <summary>
    /// The other reading of a known unknown (docs/fidelity.md, "BatchGetImage of an archived image"): a pull of an
    /// archived image gets a 404 (archive-image.html), but which BatchGetImage failure code ECR gives it is not
    /// documented. False (the default) answers <c>ImageNotFound</c>; true answers <c>ImageInaccessible</c>, for the
    /// image asked by digest and by a tag that names it alike. A client must end the same way under both.
    /// </summary>
    public bool ArchivedImagesInaccessible { get; set; }

    /// <summary>
    /// The other reading of a known unknown (docs/fidelity.md, "<c>subjectManifestDigest</c> for every referrer"): the API
    /// reference documents the field on DescribeImages' <c>ImageDetail</c>, but not that ECR fills it for every
    /// referrer. False (the default) names each referrer's subject there; true names none, as an ECR that left it out
    /// would, so a client that reads referrers from the listing must fall back to ListImageReferrers to see them.
    /// </summary>
    public bool DescribeImagesOmitsSubjectManifestDigest { get; set; }

    /// <summary>Clock for URL expiry, timestamps, restores, injected delays and stalls. Null: the system clock.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>
    /// Keeps the operation and JSON body of every signed ECR request in <see cref="CallLog.Requests"/>, so a test can
    /// check what a client it cannot wrap (the CLI, run in-process) sent. Off by default: a layer part is megabytes.
    /// </summary>
    public bool RecordRequests { get; set; }

    /// <summary>
    /// For LocalEcr's own tests only, never set otherwise: awaited by CompleteLayerUpload after its checks and hash,
    /// just before it takes the registry's lock to commit, so a test can run other calls in that window. Null: no pause.
    /// </summary>
    internal Func<Task>? BeforeLayerCommit { get; set; }

    /// <summary>
    /// For LocalEcr's own tests only, never set otherwise: awaited by a blob download (GET on a download URL) once it has
    /// the blob open, before it reads its length or a byte of it, so a test can delete the blob or its image in that
    /// window. Null: no pause.
    /// </summary>
    internal Func<Task>? BeforeBlobRead { get; set; }
}
