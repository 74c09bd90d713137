using Replicator.Function.DeadLetter;
using Replicator.Function.Events;

namespace Soak;

/// <summary>
/// An SQS FIFO queue as the event source mapping sees it: batches of up to 10 in order per message group; a group
/// with a message in flight delivers nothing else; a message reported failed becomes visible again at its place
/// (the head of its group); after <c>maxReceiveCount</c> receives a failed message moves to the dead-letter queue,
/// as the redrive policy does. A message leaves only by being acknowledged or redriven.
/// </summary>
public sealed class SimulatedFifoQueue(int maxReceiveCount, RecordingDeadLetterQueue deadLetterQueue)
{
    public const string RedriveErrorType = "Redrive";

    private readonly Lock _gate = new();
    private readonly SortedDictionary<long, Entry> _visible = [];
    private readonly HashSet<string> _groupsInFlight = new(StringComparer.Ordinal);
    private long _sequence;
    private int _inFlight;

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

                batch.Add(entry);
            }

            foreach (var entry in batch)
            {
                _visible.Remove(entry.Sequence);
                _groupsInFlight.Add(entry.Group);
                entry.ReceiveCount++;
                entry.Message.Attributes["ApproximateReceiveCount"] = entry.ReceiveCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
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
                    _visible.Add(entry.Sequence, entry);
                }
            }

            _inFlight -= batch.Count;
        }
    }

    public sealed class Entry(long sequence, SQSMessage message)
    {
        public long Sequence { get; } = sequence;

        public SQSMessage Message { get; } = message;

        public string Id => Message.MessageId!;

        public string Group => Message.MessageGroupId ?? Id;

        public int ReceiveCount { get; set; }
    }
}
