using Replicator.Core.Reconciliation;
using Replicator.Core.Validation;
using Replicator.Function.Configuration;
using Replicator.Function.Events;
using Replicator.Function.Observability;
using Replicator.Function.Processing;
using Replicator.Function.Runtime;

namespace Replicator.Function.Reconcile;

/// <summary>
/// The function's answer to a Scheduled Event: one bounded <see cref="Reconciler"/> run that stops a margin before
/// the invocation's deadline, logs each drift it enqueued, each immutable-tag conflict and the run's summary, and
/// writes the reconcile metrics.
/// </summary>
public sealed class ScheduledReconcile(Reconciler reconciler, FunctionConfig config, FunctionLogger logger, MetricsWriter metrics, TimeProvider time)
{
    /// <summary>
    /// Time kept back before the deadline: the unit in flight (a few paced reads, one SendMessageBatch, their retries)
    /// and the cursor's save finish inside it. At most half of what is left, for short test deadlines.
    /// </summary>
    public static readonly TimeSpan DeadlineMargin = TimeSpan.FromSeconds(60);

    public async Task<ReconcileResponse> RunAsync(ScheduledEvent scheduled, ILambdaContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scheduled);
        ArgumentNullException.ThrowIfNull(context);
        var now = time.GetUtcNow();
        var remaining = context.Deadline - now;
        var margin = remaining <= TimeSpan.Zero ? TimeSpan.Zero : remaining / 2 < DeadlineMargin ? remaining / 2 : DeadlineMargin;
        var run = new ReconcileRun
        {
            Account = scheduled.Account,
            Region = config.Region,

            // EventBridge may deliver the same scheduled event twice; with the same id, the FIFO queue drops the repeats.
            RunId = scheduled.Id ?? context.AwsRequestId,
            Time = now,
            StopAt = context.Deadline - margin,
        };

        var report = await reconciler.RunAsync(run, cancellationToken);

        // The metrics first, before a line per drift item: a run stopped by the deadline has little time left, and the
        // alarms read the metrics (the lines are there for a person).
        metrics.WriteReconcile(config.Region, report.DriftFound, report.DriftEnqueued, report.FailureCount, report.Refusals.Count, report.Conflicts.Count);
        if (report.NewPassReason is { } newPass)
        {
            // Once: the cursor this run saves carries its settings, so the next run resumes it.
            logger.Info($"Reconcile: a new pass started from the first repository instead of resuming: {newPass}", new LogFields { RequestId = context.AwsRequestId });
        }

        var refused = new Dictionary<DriftItem, string>(ReferenceEqualityComparer.Instance);
        foreach (var refusal in report.Refusals)
        {
            refused[refusal.Item] = refusal.Reason;
        }

        foreach (var item in report.Drift)
        {
            var fields = new LogFields { RequestId = context.AwsRequestId, Repository = item.Repository, Tag = item.Tag, Digest = item.Digest, Outcome = LogOutcomes.Drift };
            var drift = $"Drift: {item.Kind} for {string.Join(", ", item.Destinations)}; {(item.IsDelete ? "DELETE" : "PUSH")} event";
            if (refused.TryGetValue(item, out var reason))
            {
                logger.Warn($"{drift} not enqueued: {Redactor.Redact(reason)}", fields with { Outcome = LogOutcomes.Failed });
            }
            else
            {
                logger.Info($"{drift} enqueued", fields);
            }
        }

        foreach (var conflict in report.Conflicts)
        {
            // One line a tag and destination a run: the run sends nothing for it, so without this the tag would stay
            // behind unseen (before, its event went to the dead-letter queue on every pass).
            logger.Warn(
                $"Drift conflict: {conflict.Destination} holds {conflict.DestinationRepository}:{conflict.Tag} at {conflict.DestinationDigest}, and the tag is immutable there; "
                + $"no event enqueued. Delete that tag in {conflict.DestinationRepository} at {conflict.Destination} so the next pass copies {conflict.Digest}, or leave the tag out of TagFilter",
                new LogFields
                {
                    RequestId = context.AwsRequestId,
                    Repository = conflict.Repository,
                    Tag = conflict.Tag,
                    Digest = conflict.Digest,
                    DestinationRegion = conflict.Destination.Region,
                    Outcome = LogOutcomes.DriftConflict,
                });
        }

        foreach (var failure in report.Failures)
        {
            logger.Error(
                $"Reconcile: not compared this pass: {Redactor.Redact(failure.Reason)}",
                new LogFields { RequestId = context.AwsRequestId, Repository = failure.Repository, DestinationRegion = failure.Destination?.Region, Outcome = LogOutcomes.Failed });
        }

        foreach (var timeout in report.TagFilterTimeouts)
        {
            // One line a tag a run, as the push path's (RecordHandler): the tag names what to simplify the pattern for.
            logger.Warn(
                $"Reconcile: TAG_FILTER took longer than {timeout.MatchTimeout.TotalMilliseconds:0} ms on tag {EcrNames.Quote(timeout.Tag)}; "
                + "that tag was not compared this pass, the rest of its repository was; a pattern that times out on every pass needs simplifying",
                new LogFields
                {
                    RequestId = context.AwsRequestId,
                    Repository = timeout.Repository,
                    Tag = timeout.Tag,
                    Outcome = LogOutcomes.Failed,
                    ErrorType = RecordHandler.TagFilterTimeoutErrorType,
                });
        }

        foreach (var failure in report.SendFailures)
        {
            logger.Error($"Reconcile: the queue could not be sent to; the run stopped there: {Redactor.Redact(failure)}", new LogFields { RequestId = context.AwsRequestId, Outcome = LogOutcomes.Failed });
        }

        var ending = report.Completed ? "pass completed"
            : report.Cursor is { } resume ? $"stopped; the next run resumes at {resume.Format()}"
            : "stopped; the next run starts where the stored cursor says";
        logger.Info(
            $"Reconciled {report.Repositories} repositories: {report.DriftFound} drift found, {report.DriftEnqueued} enqueued, {report.Refusals.Count} refused, {report.Conflicts.Count} in conflict with an immutable tag, {report.FailureCount} failed (repositories or destinations not read, tags TAG_FILTER could not decide in time); {ending}",
            new LogFields { RequestId = context.AwsRequestId, Outcome = LogOutcomes.Reconciled });
        if (report.CursorFailure is { } cursorFailure)
        {
            // After the logs and metrics: the invocation fails, so the function's Errors alarm says the pass cannot
            // keep its place (each run would start again from the last cursor saved).
            throw new InvalidOperationException($"the reconcile cursor could not be saved: {Redactor.Redact(cursorFailure)}");
        }

        return new ReconcileResponse
        {
            Repositories = report.Repositories,
            DriftFound = report.DriftFound,
            DriftEnqueued = report.DriftEnqueued,
            Failures = report.FailureCount,
            Refused = report.Refusals.Count,
            Conflicts = report.Conflicts.Count,
            Completed = report.Completed,
            Cursor = report.Cursor?.Format(),
        };
    }
}
