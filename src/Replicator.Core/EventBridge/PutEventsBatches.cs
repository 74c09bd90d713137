using System.Text;
using Replicator.Core.EventBridge.Model;

namespace Replicator.Core.EventBridge;

/// <summary>
/// PutEvents' size rules, pure. EventBridge counts an entry as 14 bytes for <c>Time</c> when set plus the UTF-8
/// bytes of <c>Source</c>, <c>DetailType</c>, <c>Detail</c> and each of <c>Resources</c>, and the entries of one
/// call must total less than 256 KB (docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html);
/// a call takes at most 10 entries (botocore's model).
/// </summary>
public static class PutEventsBatches
{
    /// <summary>256 KB: the limit of one entry, and of the entries of one call together.</summary>
    public const int MaxBytes = 256 * 1024;

    private const int TimeBytes = 14;

    /// <summary>The size EventBridge counts for <paramref name="entry"/>.</summary>
    public static int EntrySize(PutEventsRequestEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var size = entry.Time is null ? 0 : TimeBytes;
        size += Bytes(entry.Source) + Bytes(entry.DetailType) + Bytes(entry.Detail);
        foreach (var resource in entry.Resources ?? [])
        {
            size += Bytes(resource);
        }

        return size;
    }

    /// <summary>
    /// Splits <paramref name="entries"/> (each under <see cref="MaxBytes"/>: check with <see cref="EntrySize"/>
    /// first) into calls of at most <see cref="EventBridgeClient.MaxEntriesPerCall"/> entries and less than
    /// <see cref="MaxBytes"/> together, keeping their order.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<T>> Split<T>(IReadOnlyList<T> entries, Func<T, PutEventsRequestEntry> entryOf)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(entryOf);
        var batches = new List<IReadOnlyList<T>>();
        var current = new List<T>();
        var bytes = 0;
        foreach (var item in entries)
        {
            var size = EntrySize(entryOf(item));
            if (size >= MaxBytes)
            {
                throw new ArgumentException($"an entry of {size} bytes is over PutEvents' {MaxBytes}-byte limit", nameof(entries));
            }

            if (current.Count == EventBridgeClient.MaxEntriesPerCall || (current.Count > 0 && bytes + size >= MaxBytes))
            {
                batches.Add(current);
                current = [];
                bytes = 0;
            }

            current.Add(item);
            bytes += size;
        }

        if (current.Count > 0)
        {
            batches.Add(current);
        }

        return batches;
    }

    private static int Bytes(string? value) => value is null ? 0 : Encoding.UTF8.GetByteCount(value);
}
