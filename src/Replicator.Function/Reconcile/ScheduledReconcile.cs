using Replicator.Function.Configuration;
using Replicator.Function.Events;
using Replicator.Function.Observability;
using Replicator.Function.Runtime;

namespace Replicator.Function.Reconcile;

/// <summary>
/// The function's answer to a Scheduled Event: one bounded <see cref="Reconciler"/> run that stops a margin before
/// the invocation's deadline, logs each drift it enqueued and the run's summary, and writes DriftFound and
/// DriftEnqueued.
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
        foreach (var item in report.Drift)
        {
            logger.Info(
                $"Drift: {item.Kind} for {string.Join(", ", item.Destinations)}; {(item.IsDelete ? "DELETE" : "PUSH")} event enqueued",
                new LogFields { RequestId = context.AwsRequestId, Repository = item.Repository, Tag = item.Tag, Digest = item.Digest, Outcome = LogOutcomes.Drift });
        }

        foreach (var failure in report.Failures)
        {
            logger.Error($"Reconcile: repository skipped this pass: {Redactor.Redact(failure)}", new LogFields { RequestId = context.AwsRequestId, Outcome = LogOutcomes.Failed });
        }

        foreach (var refusal in report.Refusals)
        {
            logger.Warn($"Reconcile: the queue refused {refusal}", new LogFields { RequestId = context.AwsRequestId, Outcome = LogOutcomes.Failed });
        }

        var ending = report.Completed ? "pass completed" : $"stopped before the deadline; the next run resumes at {report.Cursor?.Format()}";
        logger.Info(
            $"Reconciled {report.Repositories} repositories: {report.DriftFound} drift found, {report.DriftEnqueued} enqueued; {ending}",
            new LogFields { RequestId = context.AwsRequestId, Outcome = LogOutcomes.Reconciled });
        metrics.WriteReconcile(config.Region, report.DriftFound, report.DriftEnqueued);
        return new ReconcileResponse
        {
            Repositories = report.Repositories,
            DriftFound = report.DriftFound,
            DriftEnqueued = report.DriftEnqueued,
            Completed = report.Completed,
            Cursor = report.Cursor?.Format(),
        };
    }
}
