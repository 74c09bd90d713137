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

    /// <summary>
    /// "The total entry size must be less than 256KB" (docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html):
    /// 262,143 bytes together fit one call, 262,144 do not. Entry(d) counts 2 + d bytes.
    /// </summary>
    [Theory]
    [InlineData(131_069, 131_070, 1)]
    [InlineData(131_070, 131_070, 2)]
    public void Entries_totalling_exactly_256_KB_take_two_calls(int first, int second, int calls)
    {
        var entries = new[] { Entry(new string('x', first)), Entry(new string('y', second)) };

        Assert.Equal(calls, PutEventsBatches.Split(entries, e => e).Count);
    }

    [Theory]
    [InlineData(262_141, true)]
    [InlineData(262_142, false)]
    public void One_entry_must_be_under_256_KB(int detail, bool accepted)
    {
        PutEventsRequestEntry[] entries = [Entry(new string('x', detail))];

        if (accepted)
        {
            Assert.Single(PutEventsBatches.Split(entries, e => e));
        }
        else
        {
            Assert.Throws<ArgumentException>(() => PutEventsBatches.Split(entries, e => e));
        }
    }

    private static PutEventsRequestEntry Entry(string detail) => new() { Source = "s", DetailType = "t", Detail = detail };
}
