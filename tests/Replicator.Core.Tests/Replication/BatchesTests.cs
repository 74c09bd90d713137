using Replicator.Core.Replication;

namespace Replicator.Core.Tests.Replication;

public class BatchesTests
{
    [Fact]
    public void Chunks_of_one_hundred_keep_order_and_the_remainder()
    {
        var digests = Enumerable.Range(0, 250).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();

        var chunks = Batches.Chunk(digests);

        Assert.Equal([100, 100, 50], chunks.Select(c => c.Count));
        Assert.Equal(digests, chunks.SelectMany(c => c));
    }

    [Fact]
    public void Exact_multiple_has_no_empty_tail() => Assert.Equal(2, Batches.Chunk(Enumerable.Range(0, 200).ToList()).Count);

    [Fact]
    public void Nothing_gives_no_chunk() => Assert.Empty(Batches.Chunk(Array.Empty<string>()));

    [Fact]
    public void Size_below_one_is_refused() => Assert.Throws<ArgumentOutOfRangeException>(() => Batches.Chunk([1], 0));
}
