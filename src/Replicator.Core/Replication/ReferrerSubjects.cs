using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;

namespace Replicator.Core.Replication;

/// <summary>
/// A referrer's subject in each destination: what copying the subject first adds to the referrer's result, whether a
/// destination already holds a subject past <see cref="MaxSubjectDepth"/>, and the referrer's result where its subject
/// did not arrive. A referrer is never published pointing at nothing.
/// </summary>
internal sealed class ReferrerSubjects
{
    /// <summary>
    /// How far a referrer event climbs its subject chain (a signature of an SBOM of an image is 2). Bounds the
    /// recursion on a hostile chain: at the bound the subject is not copied but must already be in the destination,
    /// else the referrer waits (a transient failure) for the subject's own push, whose referrers walk brings it.
    /// </summary>
    public const int MaxSubjectDepth = 4;

    private readonly IDestinationClients _destinationClients;
    private readonly RepositoryMapping _mapping;
    private readonly IReplicationObserver _observer;
    private readonly TimeProvider _time;

    public ReferrerSubjects(IDestinationClients destinationClients, RepositoryMapping mapping, IReplicationObserver observer, TimeProvider time)
    {
        _destinationClients = destinationClients;
        _mapping = mapping;
        _observer = observer;
        _time = time;
    }

    /// <summary>
    /// The referrer's result with what copying its subject first wrote in the same destination: its bytes, blobs, the
    /// subject and the referrers it put count, and the destination is Replicated when either write happened (the
    /// subject's copy usually brings the referrer along, which then finds itself UpToDate), so the record's metrics and
    /// events show the copy it made. A referrer whose own copy failed there after its subject's copy wrote keeps its
    /// Failed outcome but still names what the subject's copy put: the retry finds the subject there and copies only
    /// the referrer, so this result is the only one that can announce them.
    /// </summary>
    public DestinationResult WithSubject(DestinationResult own, DestinationResult? subject, long started)
    {
        if (subject is null || subject.Outcome is not (ReplicationOutcome.Replicated or ReplicationOutcome.UpToDate))
        {
            return own;
        }

        // Only a referrer that is in the destination becomes Replicated: one found gone from the source while it was
        // copied (Skipped) or archived there stays so, whatever its subject's copy wrote.
        var held = own.Outcome is ReplicationOutcome.Replicated or ReplicationOutcome.UpToDate;
        var written = own.Outcome == ReplicationOutcome.Replicated || subject.Outcome == ReplicationOutcome.Replicated;
        return own with
        {
            Outcome = written && held ? ReplicationOutcome.Replicated : own.Outcome,
            LayersCopied = own.LayersCopied + subject.LayersCopied,
            LayersSkipped = own.LayersSkipped + subject.LayersSkipped,
            BytesCopied = own.BytesCopied + subject.BytesCopied,
            Duration = _time.GetElapsedTime(started),

            // The subject's copy put the referrer itself and the referrers below it, which the referrer's own copy then
            // found there. The referrer itself is announced as the result's own digest where it is held; where its own
            // copy then failed, that event is not sent, so it stays in this list.
            ReferrersPut = [.. subject.ReferrersPut.Concat(own.ReferrersPut).Where(d => !held || !string.Equals(d, own.Digest, StringComparison.Ordinal)).Distinct(StringComparer.Ordinal)],

            // The subject itself (and what its own copy put first), when its copy wrote there: no other record may ever
            // announce an untagged subject.
            SubjectsPut = subject.Outcome == ReplicationOutcome.Replicated && subject.Digest is { } put
                ? [.. subject.SubjectsPut.Append(put).Distinct(StringComparer.Ordinal)]
                : subject.SubjectsPut,
        };
    }

    /// <summary>
    /// Whether <paramref name="destination"/> holds the subject already (DescribeImages by digest; archived there counts:
    /// it is still there for its referrers). False when it cannot say, for whatever reason, the deadline included: the
    /// subject's copy then reads the destination itself, and reports what stops it there as any copy would.
    /// </summary>
    public async Task<bool> HoldsAsync(ReplicationDestination destination, ImageReference source, string subjectDigest, CancellationToken cancellationToken)
    {
        try
        {
            return await FindSubjectAsync(destination, source, subjectDigest, cancellationToken) is not null;
        }
        catch (Exception)
        {
            return false;
        }
    }

    /// <summary>
    /// At <see cref="MaxSubjectDepth"/>: whether <paramref name="destination"/> already holds the subject (DescribeImages
    /// by digest); when it does not, or cannot say, the referrer's result there (transient: the subject's own push, or
    /// a retry once it is there, publishes the referrer). With <paramref name="selectedOnly"/> an absent subject is a
    /// skip, not a wait: the subject is not selected there, and its selected tag's copy brings the referrer.
    /// </summary>
    /// <param name="subjectArchived">
    /// The subject is archived in the source, so it cannot be copied first: an absent subject makes the referrer
    /// <see cref="ReplicationOutcome.Archived"/> there (not retried; the subject's copy once restored brings it).
    /// </param>
    public async Task<(ReplicationDestination Destination, DestinationResult? Waiting)> SubjectAtBoundAsync(
        ReplicationDestination destination, ImageReference source, string referrer, string subjectDigest, long started, CancellationToken cancellationToken, bool selectedOnly = false, bool subjectArchived = false)
    {
        string code;
        string message;
        bool transient;
        try
        {
            // A subject the destination archived is still there for its referrers.
            if (await FindSubjectAsync(destination, source, subjectDigest, cancellationToken) is not null)
            {
                return (destination, null);
            }

            if (subjectArchived)
            {
                var archived = new DestinationResult(
                    destination, ReplicationOutcome.Archived, referrer, 0, 0, 0, _time.GetElapsedTime(started), ReplicationErrorCodes.SourceImageArchived,
                    $"referrer {referrer} names subject {subjectDigest}, which is archived in the source and not in {destination}; "
                    + "the referrer is copied with its subject once that is restored");
                _observer.DestinationDone(archived);
                return (destination, archived);
            }

            if (selectedOnly)
            {
                var skipped = ReplicationResults.Skipped(
                    destination, referrer, _time.GetElapsedTime(started), ReplicationErrorCodes.SubjectNotHeld,
                    $"untagged referrer {referrer} is copied only where its subject {subjectDigest} is, and {destination} does not hold it; "
                    + "the referrer travels with its subject's selected tag");
                _observer.DestinationDone(skipped);
                return (destination, skipped);
            }

            (code, message, transient) = (ReplicationErrorCodes.SubjectNotReplicated, NotHeld(), true);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || cancellationToken.IsCancellationRequested)
        {
            (code, message, transient) = FailureClassifier.Classify(ex, source.Tag, cancellationToken);
        }

        var result = new DestinationResult(destination, ReplicationOutcome.Failed, referrer, 0, 0, 0, _time.GetElapsedTime(started), code, message, transient);
        _observer.DestinationDone(result);
        return (destination, result);

        string NotHeld() =>
            $"referrer {referrer} is {MaxSubjectDepth} subjects up the pushed referrer's chain, past which subjects are not copied first, "
            + $"and its subject {subjectDigest} is not in {destination} yet; it is not published before it (retried until the subject's own push replicates it)";
    }

    /// <summary>The subject in <paramref name="destination"/>, under the mapped name, whatever its status; null when absent.</summary>
    private Task<ImageDetail?> FindSubjectAsync(ReplicationDestination destination, ImageReference source, string subjectDigest, CancellationToken cancellationToken) =>
        ImageDescriptions.FindAsync(
            _destinationClients.GetClient(destination, source.RegistryId),
            destination.RegistryId,
            _mapping.Map(source.RepositoryName),
            new ImageIdentifier { ImageDigest = subjectDigest },
            cancellationToken);

    /// <summary>
    /// The referrer's result in a destination its subject did not reach: transient when the subject failed there (a
    /// retry copies both), skipped when the source has no such subject (the referrer travels with it once pushed). A
    /// subject the deadline (or a CLI's stop signal) cut short leaves the referrer cut short too, and its code says so:
    /// the shells read <see cref="ReplicationErrorCodes.DeadlineExceeded"/> as a stop, not as a failure to look into.
    /// </summary>
    public DestinationResult SubjectUnavailable(DestinationResult subject, string referrer, string subjectDigest, long started)
    {
        var code = subject.ErrorCode == ReplicationErrorCodes.DeadlineExceeded ? ReplicationErrorCodes.DeadlineExceeded : ReplicationErrorCodes.SubjectNotReplicated;
        var result = subject.Outcome == ReplicationOutcome.Failed
            ? new DestinationResult(
                subject.Destination, ReplicationOutcome.Failed, referrer, 0, 0, 0, _time.GetElapsedTime(started), code,
                $"referrer {referrer} waits for its subject {subjectDigest}, which failed: {subject.ErrorCode}: {subject.Message}", subject.Transient)
            : ReplicationResults.Skipped(
                subject.Destination, referrer, _time.GetElapsedTime(started), ReplicationErrorCodes.SubjectNotFound,
                $"referrer {referrer} names subject {subjectDigest}, which the source does not hold ({subject.Outcome}); it is copied with its subject once that is pushed");
        _observer.DestinationDone(result);
        return result;
    }
}
