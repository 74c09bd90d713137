using Replicator.Core.EventBridge;
using Replicator.Core.EventBridge.Model;

namespace Replicator.Core.Tests.EventBridge;

public sealed class PutEventsBatchesTests
{
    [Fact]
    public void Entry_size_is_counted_as_EventBridge_documents_it()
    {
        var entry = new PutEventsRequestEntry
        {
            Time = DateTimeOffset.UnixEpoch,
            Source = "ecr-replicator",
            DetailType = "ECR Image Replicated",
            Detail = "{\"é\":1}",
            Resources = ["arn:aws:ecr:us-west-2:111111111111:repository/app"],
            EventBusName = "not counted",
        };

        // 14 for Time, then UTF-8 bytes: 'é' is two.
        Assert.Equal(14 + 14 + 20 + 8 + 49, PutEventsBatches.EntrySize(entry));
        entry.Time = null;
        entry.Resources = null;
        Assert.Equal(14 + 20 + 8, PutEventsBatches.EntrySize(entry));
    }

    [Fact]
    public void Calls_hold_at_most_ten_entries_in_order()
    {
        var entries = Enumerable.Range(0, 23).Select(i => Entry(i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();

        var batches = PutEventsBatches.Split(entries, e => e);

        Assert.Equal([10, 10, 3], batches.Select(b => b.Count));
        Assert.Equal(entries, batches.SelectMany(b => b));
    }

    [Fact]
    public void Calls_stay_under_256_KB_together()
    {
        var big = new string('x', 100 * 1024);
        var entries = Enumerable.Range(0, 5).Select(_ => Entry(big)).ToList();

        var batches = PutEventsBatches.Split(entries, e => e);

        // Two 100 KB entries fit in 256 KB, a third does not.
        Assert.Equal([2, 2, 1], batches.Select(b => b.Count));
        Assert.All(batches, b => Assert.True(b.Sum(PutEventsBatches.EntrySize) < PutEventsBatches.MaxBytes));
    }

    [Fact]
    public void An_entry_over_the_limit_is_refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => PutEventsBatches.Split([Entry(new string('x', 256 * 1024))], e => e));
        Assert.Contains("262144", ex.Message, StringComparison.Ordinal);
    }

    private static PutEventsRequestEntry Entry(string detail) => new() { Source = "s", DetailType = "t", Detail = detail };
}
