using Replicator.Function.DeadLetter;
using Replicator.Function.Events;
using Replicator.Function.Redelivery;

namespace Soak;

/// <summary>
/// An SQS FIFO queue as the event source mapping sees it: batches of up to 10 in order per message group; a group
/// with a message in flight delivers nothing else; a message reported failed becomes visible again at its place
/// (the head of its group); after <c>maxReceiveCount</c> receives a failed message moves to the dead-letter queue,
/// as the redrive policy does. A message leaves only by being acknowledged or redriven.
/// With a clock (outage mode) a failed message stays invisible for the queue's visibility timeout, or for what the
/// function set with ChangeMessageVisibility (this queue is its <see cref="IMessageVisibility"/>), on simulated seconds.
/// </summary>
public sealed class SimulatedFifoQueue(int maxReceiveCount, RecordingDeadLetterQueue deadLetterQueue, bool timed = false) : IMessageVisibility
{
    public const string RedriveErrorType = "Redrive";

    /// <summary>The template's VisibilityTimeout: how long a reported message stays invisible unless the function says otherwise.</summary>
    public const int VisibilityTimeoutSeconds = 5400;

    private readonly Lock _gate = new();
    private readonly SortedDictionary<long, Entry> _visible = [];
    private readonly HashSet<string> _groupsInFlight = new(StringComparer.Ordinal);
    private readonly HashSet<string> _inFlightGroups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Entry> _byReceiptHandle = new(StringComparer.Ordinal);
    private long _sequence;
    private int _inFlight;

    /// <summary>Simulated seconds since the start (outage mode only).</summary>
    public long Now { get; private set; }

    /// <summary>ChangeMessageVisibility calls the function made.</summary>
    public int VisibilityChanges { get; private set; }

    /// <summary>Moves the simulated clock forward.</summary>
    public void Advance(long seconds)
    {
        lock (_gate)
        {
            Now += seconds;
        }
    }

    /// <summary>
    /// Jumps the clock to the moment the next group's head becomes visible; false when a head is receivable now or a
    /// batch is in flight (then the wait is for that batch, not for the clock).
    /// </summary>
    public bool AdvanceToNextVisible()
    {
        lock (_gate)
        {
            // A batch in flight holds the clock: its answer may make a head visible sooner, and it is answered at the
            // time it was taken, plus the second its invocation takes. Jumping past it would have it answer later (its
            // redelivery delays counted from the jump), so how late the run ends would depend on how the pollers'
            // threads happened to interleave.
            if (_inFlight > 0)
            {
                return false;
            }

            // Only a group's first message decides when the group delivers again: the followers of an invisible head
            // were never received (their VisibleAt is 0), but FIFO order keeps them behind it. Counting them as
            // visible would leave the clock stopped while no receive could return anything.
            long? next = null;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in _visible.Values)
            {
                if (!seen.Add(entry.Group))
                {
                    continue;
                }

                if (entry.VisibleAt <= Now)
                {
                    return false;
                }

                next = Math.Min(next ?? long.MaxValue, entry.VisibleAt);
            }

            if (next is null)
            {
                return false;
            }

            Now = next.Value;
            return true;
        }
    }

    public Task ChangeAsync(Uri queueUrl, string receiptHandle, int visibilityTimeoutSeconds, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            // SQS refuses a stale receipt handle; so does this queue.
            if (!_byReceiptHandle.TryGetValue(receiptHandle, out var entry))
            {
                throw new InvalidOperationException("ReceiptHandleIsInvalid");
            }

            entry.RequestedVisibility = visibilityTimeoutSeconds;
            VisibilityChanges++;
        }

        return Task.CompletedTask;
    }

    /// <summary>Ids of acknowledged messages (deleted from the queue after a successful batch item).</summary>
    public HashSet<string> Acknowledged { get; } = new(StringComparer.Ordinal);

    public bool IsDrained
    {
        get
        {
            lock (_gate)
            {
                return _visible.Count == 0 && _inFlight == 0;
            }
        }
    }

    public void Send(SQSMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_gate)
        {
            var sequence = _sequence++;
            _visible.Add(sequence, new Entry(sequence, message));
        }
    }

    /// <summary>Up to 10 visible messages, in order, from groups with nothing in flight.</summary>
    public IReadOnlyList<Entry> Receive(int max = 10)
    {
        lock (_gate)
        {
            var batch = new List<Entry>(max);
            foreach (var entry in _visible.Values)
            {
                if (batch.Count == max)
                {
                    break;
                }

                if (_groupsInFlight.Contains(entry.Group) && !batch.Any(b => b.Group == entry.Group))
                {
                    continue;
                }

                // An invisible message blocks its group (FIFO order), as one in flight does.
                if (timed && (entry.VisibleAt > Now || batch.Any(b => b.Group == entry.Group && b.VisibleAt > Now)))
                {
                    _groupsInFlight.Add(entry.Group);
                    continue;
                }

                batch.Add(entry);
            }

            if (timed)
            {
                // Groups marked above only because a message was invisible are not in flight.
                _groupsInFlight.RemoveWhere(g => !_inFlightGroups.Contains(g));
            }

            foreach (var entry in batch)
            {
                _visible.Remove(entry.Sequence);
                _groupsInFlight.Add(entry.Group);
                _inFlightGroups.Add(entry.Group);
                entry.ReceiveCount++;
                entry.Message.Attributes["ApproximateReceiveCount"] = entry.ReceiveCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
                entry.RequestedVisibility = null;
                var handle = $"{entry.Id}#{entry.ReceiveCount}";
                entry.Message = new SQSMessage
                {
                    MessageId = entry.Message.MessageId,
                    Body = entry.Message.Body,
                    Attributes = entry.Message.Attributes,
                    EventSourceArn = entry.Message.EventSourceArn,
                    AwsRegion = entry.Message.AwsRegion,
                    ReceiptHandle = handle,
                };
                _byReceiptHandle[handle] = entry;
            }

            _inFlight += batch.Count;
            return batch;
        }
    }

    /// <summary>Applies a batch response: acknowledged items leave, failed ones come back or are redriven.</summary>
    public void Complete(IReadOnlyList<Entry> batch, IReadOnlySet<string> failed, Func<string, string> lastError)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(failed);
        ArgumentNullException.ThrowIfNull(lastError);
        lock (_gate)
        {
            foreach (var entry in batch)
            {
                _groupsInFlight.Remove(entry.Group);
                _inFlightGroups.Remove(entry.Group);
                _byReceiptHandle.Remove(entry.Message.ReceiptHandle ?? string.Empty);
                if (!failed.Contains(entry.Id))
                {
                    Acknowledged.Add(entry.Id);
                }
                else if (entry.ReceiveCount >= maxReceiveCount)
                {
                    deadLetterQueue.Add(new DeadLetterMessage(entry.Message.Body ?? string.Empty, entry.Group, entry.Id, $"maxReceiveCount {maxReceiveCount} reached; last error: {lastError(entry.Id)}", RedriveErrorType));
                }
                else
                {
                    entry.VisibleAt = timed ? Now + (entry.RequestedVisibility ?? VisibilityTimeoutSeconds) : 0;
                    _visible.Add(entry.Sequence, entry);
                }
            }

            _inFlight -= batch.Count;
        }
    }

    public sealed class Entry(long sequence, SQSMessage message)
    {
        public long Sequence { get; } = sequence;

        /// <summary>The message as last received (a new receipt handle each time).</summary>
        public SQSMessage Message { get; set; } = message;

        public string Id => Message.MessageId!;

        public string Group => Message.MessageGroupId ?? Id;

        public int ReceiveCount { get; set; }

        /// <summary>Simulated second from which the message may be received (outage mode).</summary>
        public long VisibleAt { get; set; }

        /// <summary>What the function set with ChangeMessageVisibility during the current receive.</summary>
        public int? RequestedVisibility { get; set; }
    }
}
