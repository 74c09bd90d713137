using Replicator.Samples;

namespace Replicator.Core.Tests.Samples;

public class SeededStreamTests
{
    private static byte[] ReadAll(Stream stream)
    {
        var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return bytes.ToArray();
    }

    [Fact]
    public void Reading_from_an_offset_equals_the_tail_of_a_full_read()
    {
        var content = new SeededContent(99, 1001);
        var full = ReadAll(content.OpenRead());

        foreach (var offset in new[] { 0, 1, 7, 8, 9, 500, 1000, 1001 })
        {
            Assert.Equal(full[offset..], ReadAll(content.OpenRead(offset)));
        }
    }

    [Fact]
    public void Odd_sized_reads_give_the_same_bytes_as_one_read()
    {
        using var whole = new SeededStream(5, 100);
        var expected = ReadAll(whole);
        using var pieces = new SeededStream(5, 100);
        var actual = new List<byte>();
        var buffer = new byte[3];
        int read;
        while ((read = pieces.Read(buffer, 0, buffer.Length)) > 0)
        {
            actual.AddRange(buffer[..read]);
        }

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Different_seeds_differ_and_bytes_are_not_trivial()
    {
        var a = ReadAll(new SeededStream(1, 4096));
        var b = ReadAll(new SeededStream(2, 4096));

        Assert.NotEqual(a, b);
        Assert.True(a.Distinct().Count() > 200);
    }

    [Fact]
    public void Seek_and_bounds()
    {
        using var stream = new SeededStream(1, 10);

        Assert.Equal(7, stream.Seek(-3, SeekOrigin.End));
        Assert.Equal(3, stream.Read(new byte[10]));
        Assert.Equal(0, stream.Read(new byte[10]));
        Assert.Throws<ArgumentOutOfRangeException>(() => stream.Position = 11);
        Assert.Throws<NotSupportedException>(() => stream.Write([1], 0, 1));
    }

    [Fact]
    public async Task Async_read_matches_sync_read()
    {
        using var sync = new SeededStream(8, 64);
        using var async = new SeededStream(8, 64);
        var buffer = new byte[64];

        Assert.Equal(64, await async.ReadAsync(buffer.AsMemory()));
        Assert.Equal(ReadAll(sync), buffer);
    }
}
