using Replicator.Core.Ecr;
using Replicator.Core.EventBridge;
using Replicator.Core.EventBridge.Model;
using Replicator.Core.Resilience;
using Replicator.Function.Observability;

namespace Replicator.Function.ReplicatedEvents;

/// <summary>
/// Puts the replicated events on the bus: in calls of at most 10 entries under 256 KB, the entries refused with
/// a transient code (<c>InternalFailure</c>, <c>ThrottlingException</c>, ...) or in a call that failed transiently
/// sent again, a bounded number of times (<see cref="ReplicatedEventSettings"/>). It never throws and never
/// fails the record: the image is replicated whatever happens to its event. An event given up is a warning with
/// its error code and a <c>ReplicatedEventsFailed</c> metric. When no call of a publish got an answer at all (the bus
/// unreachable, every call timing out), the events that follow in the next
/// <see cref="ReplicatedEventSettings.PauseAfterOutage"/> are given up at once instead of each paying the same timeouts
/// in the record's path: during an EventBridge outage the copies go on at full speed, and the first publish after the
/// pause tries the bus again.
/// </summary>
public sealed class ReplicatedEventPublisher(
    IEventBridgeClient client, FunctionLogger logger, MetricsWriter metrics, TimeProvider timeProvider, ReplicatedEventSettings? settings = null, Func<double>? random = null)
{
    /// <summary>The code of an entry over 256 KB, never sent (ours; EventBridge would refuse the whole call).</summary>
    public const string EntryTooLargeCode = "EntryTooLarge";

    /// <summary>The code of an event given up unsent while publishing is paused after an outage.</summary>
    public const string PausedCode = "PublishingPaused";

    private readonly ReplicatedEventSettings _settings = settings ?? new ReplicatedEventSettings();
    private readonly Func<double> _random = random ?? Random.Shared.NextDouble;

    // UTC ticks until which publishing is paused; 0: not paused. Records of several message groups publish at once.
    private long _pausedUntilTicks;

    /// <summary>Puts <paramref name="events"/>; returns how many were given up (logged and counted).</summary>
    public async Task<int> PublishAsync(IReadOnlyList<ReplicatedEvent> events, LogFields fields, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(fields);
        var failed = 0;
        var pending = new List<ReplicatedEvent>();
        foreach (var e in events)
        {
            var size = PutEventsBatches.EntrySize(e.Entry);
            if (size >= PutEventsBatches.MaxBytes)
            {
                GiveUp(e, EntryTooLargeCode, $"the entry is {size} bytes, over PutEvents' limit of {PutEventsBatches.MaxBytes}", fields);
                failed++;
            }
            else
            {
                pending.Add(e);
            }
        }

        var pausedUntil = Interlocked.Read(ref _pausedUntilTicks);
        if (pending.Count > 0 && timeProvider.GetUtcNow().UtcTicks < pausedUntil)
        {
            var until = new DateTimeOffset(pausedUntil, TimeSpan.Zero);
            foreach (var e in pending)
            {
                GiveUp(e, PausedCode, $"no PutEvents call got an answer lately; events are not sent until {until:yyyy-MM-ddTHH:mm:ssZ}, so the copies are not held up by the bus's timeouts", fields);
            }

            return failed + pending.Count;
        }

        // Whether any call came back quickly, with an answer or a failure of our own: only calls that reach no bus
        // (a timeout, a connection that fails) cost the record their time, and only those pause publishing.
        var answered = false;
        var lastError = new Dictionary<ReplicatedEvent, (string Code, string Message)>(ReferenceEqualityComparer.Instance);
        // The calls made, and whether the deadline came in a backoff: a give-up line says how many attempts were made,
        // not how many were allowed.
        var made = 0;
        var cutShort = false;
        for (var attempt = 0; pending.Count > 0 && attempt < _settings.MaxAttempts; attempt++)
        {
            var throttled = pending.Any(e => lastError.TryGetValue(e, out var last) && EcrErrorClassifier.IsThrottling(last.Code, null));
            if (attempt > 0 && !await DelayAsync(attempt - 1, throttled, cancellationToken))
            {
                cutShort = true;
                break;
            }

            made++;

            var retry = new List<ReplicatedEvent>();
            foreach (var batch in PutEventsBatches.Split(pending, static e => e.Entry))
            {
                try
                {
                    var response = await client.PutEventsAsync(new PutEventsRequest { Entries = [.. batch.Select(static e => e.Entry)] }, cancellationToken);
                    answered = true;
                    for (var i = 0; i < batch.Count; i++)
                    {
                        var result = response.Entries is { } results && i < results.Count ? results[i] : null;
                        if (result is { ErrorCode: null } && !string.IsNullOrEmpty(result.EventId))
                        {
                            continue;
                        }

                        // A missing result (fewer entries than sent) says nothing of the event: treat it as a fault of the call.
                        var code = result?.ErrorCode ?? EcrErrorCodes.InvalidResponse;
                        var message = result?.ErrorMessage ?? "PutEvents answered without an EventId for this entry";
                        Classify(batch[i], code, message, code == EcrErrorCodes.InvalidResponse || EcrErrorClassifier.IsTransient(code, null));
                    }
                }
                catch (EventBridgeException ex)
                {
                    // An error answer (throttling, a 5xx) comes back at once; only a call with no answer costs a timeout.
                    answered |= ex.StatusCode is not null;
                    foreach (var e in batch)
                    {
                        Classify(e, ex.ErrorCode, ex.Message, ex.IsTransient);
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    foreach (var e in batch)
                    {
                        Classify(e, "DeadlineExceeded", "stopped at the invocation deadline", transient: false);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Anything else (credentials that cannot be resolved right now, a bug): still never the record's
                    // failure. Retried within the same budget, as a resolution failure may pass. No outage of the bus.
                    answered = true;
                    foreach (var e in batch)
                    {
                        Classify(e, ex.GetType().Name, "PutEvents could not be called", transient: true);
                    }
                }
            }

            pending = retry;

            void Classify(ReplicatedEvent e, string code, string message, bool transient)
            {
                if (transient && !cancellationToken.IsCancellationRequested)
                {
                    lastError[e] = (code, message);
                    retry.Add(e);
                }
                else
                {
                    GiveUp(e, code, message, fields);
                    failed++;
                }
            }
        }

        if (!answered && pending.Count > 0 && !cancellationToken.IsCancellationRequested)
        {
            // Every attempt of every call failed without an answer: an outage, not a refused entry.
            Interlocked.Exchange(ref _pausedUntilTicks, (timeProvider.GetUtcNow() + _settings.PauseAfterOutage).UtcTicks);
        }

        var after = made == 1 ? "after 1 attempt" : $"after {made} attempts";
        var why = cutShort ? $"{after}; the invocation deadline came before the next" : after;
        foreach (var e in pending)
        {
            var (code, message) = lastError.TryGetValue(e, out var last) ? last : ("DeadlineExceeded", "stopped at the invocation deadline");
            GiveUp(e, code, $"{message} ({why})", fields);
            failed++;
        }

        return failed;
    }

    private async Task<bool> DelayAsync(int retry, bool throttled, CancellationToken cancellationToken)
    {
        var delay = RetryDelays.Compute(retry, throttled ? _settings.ThrottlingBaseDelay : _settings.BaseDelay, _settings.MaxDelay, Math.Clamp(_random(), 0, 0.999999));
        try
        {
            await Task.Delay(delay, timeProvider, cancellationToken);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private void GiveUp(ReplicatedEvent e, string code, string message, LogFields fields)
    {
        logger.Warn(
            $"Replicated event not delivered ({code}): {Redactor.Redact(message)}; the image itself is replicated",
            fields with { DestinationRegion = e.DestinationRegion, Digest = e.Digest, ErrorType = code });
        metrics.WriteReplicatedEventFailed(e.DestinationRegion);
    }
}
