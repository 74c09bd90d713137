using System.Text.RegularExpressions;
using Replicator.Core.Ecr;
using Replicator.Core.Errors;
using Replicator.Core.Replication;
using Replicator.Core.Validation;
using Replicator.Function.Configuration;
using Replicator.Function.DeadLetter;
using Replicator.Function.Events;
using Replicator.Function.Observability;
using Replicator.Function.Redelivery;
using Replicator.Function.ReplicatedEvents;

namespace Replicator.Function.Processing;

/// <summary>
/// One SQS record: parse, decide, call the engine, classify the result, and (with REPLICATED_EVENT_BUS) announce
/// each destination that now holds the image. Never throws for the record's own faults.
/// </summary>
public sealed class RecordHandler(
    FunctionConfig config, IImageReplicator replicator, FunctionLogger logger, MetricsWriter metrics, TimeProvider timeProvider, ReplicatedEventPublisher? replicatedEvents = null)
{
    public const string InvalidEventErrorType = "InvalidEvent";
    public const string TagFilterTimeoutErrorType = "TagFilterTimeout";
    public const string CancelledErrorType = "DeadlineExceeded";

    public async Task<RecordResult> HandleAsync(SQSMessage message, string requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var fields = new LogFields { RequestId = requestId, MessageId = message.MessageId };

        ImageAction imageEvent;
        try
        {
            imageEvent = EcrEventParser.Parse(message.Body);
            fields = fields with { Repository = imageEvent.RepositoryName, Tag = imageEvent.Tag, Digest = imageEvent.Digest };

            // Before anything reads the source the event names: only the function's own registry is a source.
            RecordDecision.RequireOwnSource(imageEvent, config.Region, message.EventSourceArn);
        }
        catch (InvalidEventException ex)
        {
            var reason = Redactor.Redact(ex.Message);
            logger.Warn($"Invalid event ({ex.Field}): {reason}", fields with { Outcome = LogOutcomes.Invalid, ErrorType = InvalidEventErrorType });
            return new RecordResult(RecordOutcome.PermanentFailure, reason, InvalidEventErrorType);
        }

        if (!config.RepositoryFilter.Matches(imageEvent.RepositoryName))
        {
            // The rule should not have sent it (a rule edited by hand, an event sent by someone else): acknowledge,
            // so it neither retries nor lands in the dead-letter queue, and say so.
            var skipped = $"repository {imageEvent.RepositoryName} is outside REPOSITORY_FILTER {config.RepositoryFilter}";
            logger.Info($"Skipped: {skipped}", fields with { Outcome = LogOutcomes.Skipped });
            return new RecordResult(RecordOutcome.Acknowledged, skipped);
        }

        var destinations = RecordDecision.DestinationsFor(imageEvent, config.Destinations, config.Access);

        // An event the replicator enqueued itself (a reconcile pass, sync --enqueue) carries the time it ran, not a
        // push's: no latency is measured from it, in the metric or in the replicated event.
        var pushed = message.Sender is null;
        var started = timeProvider.GetTimestamp();
        RecordDecision decision;
        try
        {
            decision = RecordDecision.Decide(imageEvent, config.ReplicateDeletes, config.TagFilter);
        }
        catch (RegexMatchTimeoutException ex)
        {
            // Transient: the timeout counts elapsed time, not CPU time
            // (https://learn.microsoft.com/dotnet/standard/base-types/best-practices-regex#use-time-out-values), so a
            // pause of a small function can stretch a sane match past it. SQS delivers the message again with backoff;
            // a pattern that times out on every receive reaches the dead-letter queue on the last one (MAX_RECEIVE_COUNT)
            // with this reason, or by the queue's redrive policy.
            var reason = $"TAG_FILTER took longer than {ex.MatchTimeout.TotalMilliseconds:0} ms on tag {EcrNames.Quote(imageEvent.Tag ?? ex.Input)}; retried, and a pattern that times out on every receive needs simplifying";
            logger.Warn(reason, fields with { Outcome = LogOutcomes.Failed, ErrorType = TagFilterTimeoutErrorType });
            // A pattern that times out on every receive would otherwise go round silently until the dead-letter queue.
            WriteFailedRecordMetrics(destinations, imageEvent, pushed, TagFilterTimeoutErrorType, reason, started);
            return new RecordResult(RecordOutcome.TransientFailure, reason, TagFilterTimeoutErrorType);
        }

        if (decision.Action == RecordAction.Acknowledge || destinations.Count == 0)
        {
            var reason = destinations.Count == 0 ? "no destination other than the source region" : decision.Reason;
            logger.Info($"Acknowledged: {reason}", fields with { Outcome = decision.Filtered ? LogOutcomes.Filtered : LogOutcomes.Acknowledged });
            return new RecordResult(RecordOutcome.Acknowledged, reason);
        }

        var source = new ImageReference(imageEvent.Account, imageEvent.Region, imageEvent.RepositoryName, imageEvent.Digest, imageEvent.Tag);
        var request = new ReplicationRequest(source, destinations) { UntaggedReferrersOnly = decision.UntaggedReferrersOnly };
        ReplicationResult result;

        // The engine's retry and session lines during this copy carry the record's request and message ids and image
        // (EngineLogContext); undone when this method returns, so each record of a batch keeps its own.
        EngineLogContext.Current = fields;
        try
        {
            result = decision.Action == RecordAction.Delete
                ? await replicator.DeleteAsync(request, cancellationToken)
                : await replicator.ReplicateAsync(request, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            const string reason = "stopped at the invocation deadline";
            logger.Warn("Stopped at the invocation deadline; SQS will deliver the message again", fields with { Outcome = LogOutcomes.Failed, ErrorType = CancelledErrorType });
            WriteFailedRecordMetrics(destinations, imageEvent, pushed, CancelledErrorType, reason, started);
            return new RecordResult(RecordOutcome.TransientFailure, reason, CancelledErrorType);
        }
        catch (Exception ex)
        {
            // The engine reports destination failures in its result; a throw is unexpected, so retry and let the
            // queue's redrive policy end it if it keeps happening.
            var errorType = ex.GetType().Name;
            var reason = Redactor.Redact(ex.Message);
            logger.Error($"Replication threw {errorType}: {reason}", fields with { Outcome = LogOutcomes.Failed, ErrorType = errorType, DurationMs = ElapsedMs(started) });
            WriteFailedRecordMetrics(destinations, imageEvent, pushed, errorType, reason, started);
            return new RecordResult(RecordOutcome.TransientFailure, reason, errorType);
        }

        if (decision.UntaggedReferrersOnly && result.Destinations.All(d => d.ErrorCode == ReplicationErrorCodes.UntaggedNotSelected))
        {
            // An untagged push that is not a referrer, which TAG_FILTER leaves to its selected index: filtered, as
            // a tag that does not match is (the same outcome, and no metrics).
            var reason = $"untagged {result.SourceDigest ?? imageEvent.Digest} is not a referrer; under TAG_FILTER it travels only with a selected tag's image";
            logger.Info($"Acknowledged: {reason}", fields with { Outcome = LogOutcomes.Filtered, DurationMs = ElapsedMs(started) });
            return new RecordResult(RecordOutcome.Acknowledged, reason);
        }

        foreach (var destination in result.Destinations)
        {
            LogDestination(destination, fields);
            metrics.Write(destination, imageEvent.Time, pushed);
        }

        if (replicatedEvents is not null && config.ReplicatedEventBus is { } bus && decision.Action != RecordAction.Delete)
        {
            // After the metrics, with the same figures; its failures are warnings, never the record's.
            var events = ReplicatedEventFactory.Create(source, pushed ? imageEvent.Time : null, config.RepositoryMapping, result, bus, timeProvider.GetUtcNow(), config.Access);
            if (events.Count > 0)
            {
                await replicatedEvents.PublishAsync(events, fields, cancellationToken);
            }
        }

        if (result.Succeeded)
        {
            return RecordResult.Succeeded;
        }

        // Retried while any destination failed transiently, even beside a permanent failure (ShouldRetry): the error type
        // is then a transient destination's, the one the retry is for; the reason names every failed destination either way.
        var graced = result.ShouldRetry ? null : InAccessDeniedGrace(result, message);
        var retry = result.ShouldRetry || graced is not null;
        var failure = result.Destinations.Where(d => !d.Succeeded).OrderBy(d => d.Transient != retry).First();
        var failureReason = FailureReason.Describe(result, config.RepositoryMapping, SqsDeadLetterQueue.MaxReasonLength - BatchProcessor.LastReceivePreambleRoom);
        if (graced is { KeyRefused: true })
        {
            logger.Warn(
                $"Access key refused in {graced.Destination} ({graced.ErrorCode}) on receive {RedeliveryScheduler.ReceiveCount(message)} of the message: retried, in case "
                + $"a key just put into its DESTINATION_CREDENTIALS parameter is not yet valid everywhere in IAM; dead-lettered from receive {AccessDeniedGraceReceives + 1} on",
                fields with { Outcome = LogOutcomes.Failed, ErrorType = graced.ErrorCode });
        }
        else if (graced is not null)
        {
            logger.Warn(
                $"AccessDenied on receive {RedeliveryScheduler.ReceiveCount(message)} of the message: retried, in case the role's policy is still "
                + $"propagating after a stack update; dead-lettered from receive {AccessDeniedGraceReceives + 1} on",
                fields with { Outcome = LogOutcomes.Failed, ErrorType = EcrErrorCodes.AccessDeniedException });
        }

        var failureType = failure.ErrorCode ?? (retry ? "TransientReplicationFailure" : "PermanentReplicationFailure");
        return new RecordResult(retry ? RecordOutcome.TransientFailure : RecordOutcome.PermanentFailure, failureReason, failureType);
    }

    /// <summary>
    /// Receives on which a message refused only with ECR's <c>AccessDeniedException</c> (or STS's and SSM's denial of a
    /// destination's credentials, <see cref="Core.Replication.DestinationResult.CredentialsDenied"/>) is retried rather than
    /// dead-lettered. IAM is eventually consistent: a policy just attached can take seconds to apply
    /// (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency),
    /// and a stack update changes the function's destination grants in parallel with the function
    /// (docs/deploy.md, "Limits of the stack"), so the first copies into a new destination, repository or mapping can
    /// be refused while the grant is on its way, and the queued events of a repository just excluded are refused (the
    /// role's Deny is in place before the function's new filter, which then acknowledges them as Skipped). Three
    /// receives are at least two redelivery delays apart (RETRY_BASE_SECONDS, jittered): a denial still there on the
    /// third is real and goes to the dead-letter queue with its reason, as before.
    /// The same receives are given to a destination's stored access key refused as unknown
    /// (<see cref="Core.Replication.DestinationResult.KeyRefused"/>: ECR's <c>UnrecognizedClientException</c>, STS's
    /// <c>InvalidClientTokenId</c>), which a key just created and put into its SSM parameter can meet for some seconds
    /// for the same reason (a new access key is not immediately valid: https://github.com/aws/aws-sdk-js/issues/559).
    /// And to KMS's access denial of the grant ECR asks for a new KMS-encrypted repository
    /// (<see cref="Core.Replication.DestinationResult.KmsAccessDenied"/>): the stack adds kms:CreateGrant in the update that
    /// first sets DestinationKmsKeys, in parallel with the function, as it adds the ECR grants.
    /// </summary>
    public const int AccessDeniedGraceReceives = 2;

    /// <summary>The failed destination that earns the grace on this receive (a key refusal first, for its message), or null.</summary>
    private static DestinationResult? InAccessDeniedGrace(ReplicationResult result, SQSMessage message) =>
        RedeliveryScheduler.ReceiveCount(message) > AccessDeniedGraceReceives
            ? null
            : result.Destinations
                .Where(d => !d.Succeeded && (d.KeyRefused || d.ErrorCode == EcrErrorCodes.AccessDeniedException || d.CredentialsDenied || d.KmsAccessDenied))
                .OrderBy(d => !d.KeyRefused)
                .FirstOrDefault();

    private void LogDestination(DestinationResult destination, LogFields fields)
    {
        var line = fields with
        {
            Digest = destination.Digest ?? fields.Digest,
            DestinationRegion = destination.Destination.Region,
            Outcome = LogOutcomes.Of(destination.Outcome),
            LayersCopied = destination.LayersCopied,
            LayersSkipped = destination.LayersSkipped,
            Bytes = destination.BytesCopied,
            DurationMs = (long)destination.Duration.TotalMilliseconds,
            ErrorType = destination.ErrorCode,
        };
        if (destination.Succeeded)
        {
            // A success may carry notes (referrers left to their own events, foreign layers left out): said, not hidden.
            var notes = new List<string>(3);
            if (destination.Outcome is ReplicationOutcome.Replicated or ReplicationOutcome.UpToDate)
            {
                // A line that says the destination holds the image names only the tag it holds at the digest; a late
                // event's tag, which the source has moved on and the engine left alone, is said in the message instead.
                line = line with { Tag = destination.Tag };
                if (fields.Tag is { } requested && destination.Tag is null)
                {
                    notes.Add(LateTagNote(requested));
                }
            }

            if (destination.Message is { } note)
            {
                notes.Add(note);
            }

            if (destination.NonDistributableSkipped > 0)
            {
                notes.Add(ForeignLayersNote(destination.NonDistributableSkipped));
            }

            logger.Info(notes.Count > 0 ? $"{destination.Outcome} in {destination.Destination}: {string.Join("; ", notes)}" : $"{destination.Outcome} in {destination.Destination}", line);
        }
        else
        {
            var retry = destination.Transient ? "transient" : "permanent";
            logger.Error($"Failed in {destination.Destination} ({retry}): {destination.Message}", line);
        }
    }

    /// <summary>What a destination's log line says when the engine copied a late event's digest but left its tag alone.</summary>
    public static string LateTagNote(string tag) =>
        $"tag '{tag}' left where it is: the source's tag names another digest now (this event arrived after a newer push of the tag), so this digest is held without it";

    /// <summary>What a destination's log line says of the foreign layers its copy left out.</summary>
    public static string ForeignLayersNote(int count) =>
        $"{count} foreign (non-distributable) layer(s) not copied: the source does not hold them, the manifest names where to fetch them, and ECR's PutImage does not require them";

    private long ElapsedMs(long started) => (long)timeProvider.GetElapsedTime(started).TotalMilliseconds;

    /// <summary>
    /// The metrics of a record that failed as a whole (the deadline came, or the engine threw), one Failed line per
    /// destination, as if each had failed: the engine gave no per-destination result, and the record is retried for
    /// all of them. Without these a record that never fits in an invocation (a layer too slow to copy before the
    /// deadline) or that always throws wrote no ReplicationFailures and no FailedEventAgeMs, so the stall alarms stayed
    /// silent while its message, and the rest of its group behind it, went round until the dead-letter queue, days later.
    /// </summary>
    private void WriteFailedRecordMetrics(IReadOnlyList<ReplicationDestination> destinations, ImageAction imageEvent, bool pushed, string errorType, string reason, long started)
    {
        var elapsed = timeProvider.GetElapsedTime(started);
        foreach (var destination in destinations)
        {
            var failed = new DestinationResult(destination, ReplicationOutcome.Failed, imageEvent.Digest, 0, 0, 0, elapsed, errorType, reason, Transient: true);
            metrics.Write(failed, imageEvent.Time, pushed);
        }
    }
}
