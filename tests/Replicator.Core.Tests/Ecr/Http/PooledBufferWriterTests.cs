using Replicator.Core.Ecr.Http;

namespace Replicator.Core.Tests.Ecr.Http;

/// <summary>
/// The request body's buffer: sized up front where the final length is known (an UploadLayerPart body), so it must not
/// grow, and copy a 13 MiB body, when asked for exactly the room it has left.
/// </summary>
public sealed class PooledBufferWriterTests
{
    [Fact]
    public void Exactly_the_room_left_is_given_without_growing_and_a_byte_more_grows_once_keeping_what_was_written()
    {
        using var writer = new PooledBufferWriter(256);
        var room = writer.GetSpan().Length;
        writer.GetSpan(room - 10).Fill((byte)'x');
        writer.Advance(room - 10);

        Assert.Equal(10, writer.GetSpan(10).Length);
        Assert.Equal(0, writer.GrowCount);

        Assert.True(writer.GetSpan(11).Length >= 11);
        Assert.Equal(1, writer.GrowCount);
        Assert.Equal(room - 10, writer.WrittenCount);
        Assert.All(writer.WrittenSpan.ToArray(), b => Assert.Equal((byte)'x', b));
    }
}
