using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Replicator.Core.Copy;
using Replicator.Core.Ecr.Http;
using Replicator.Core.Ecr.Model;

namespace Replicator.Core.Tests.Copy;

/// <summary>A part encoded once and shared: the body each destination sends, its SigV4 payload hash, and the pool that bounds the parts.</summary>
public sealed class SharedPartTests
{
    private const int PartSize = 5 * 1024 * 1024;

    private static byte[] RandomBytes(int size)
    {
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        return bytes;
    }

    private static async Task<SharedPart> EncodeAsync(SharedPartPool pool, byte[] raw, int piece)
    {
        var part = await pool.RentAsync(PartSize, 0, CancellationToken.None);
        for (var offset = 0; offset < raw.Length; offset += piece)
        {
            var length = Math.Min(piece, raw.Length - offset);
            part.Append(raw.AsSpan(offset, length), final: offset + length == raw.Length);
        }

        part.Seal();
        return part;
    }

    [Theory]
    [InlineData(PartSize, 3 * 64 * 1024)]
    [InlineData(PartSize - 1, 3 * 64 * 1024)]
    [InlineData(1, 3)]
    [InlineData(1_000_001, 3 * 1000)]
    public async Task Head_and_tail_are_the_request_as_json_and_the_cloned_hash_is_the_sha256_of_the_sent_bytes(int size, int piece)
    {
        var raw = RandomBytes(size);
        var pool = new SharedPartPool(1);
        var part = await EncodeAsync(pool, raw, piece);
        var request = new UploadLayerPartRequest { RegistryId = "123456789012", RepositoryName = "team/\"quoted\"", UploadId = "u-1", PartFirstByte = 0, PartLastByte = size - 1 };

        using var tail = EcrRequestBody.SerializeUploadLayerPartTail(request);
        var body = part.Head.ToArray().Concat(tail.WrittenSpan.ToArray()).ToArray();
        using var hash = part.CloneHeadHash();
        hash.AppendData(tail.WrittenSpan);

        Assert.Equal(SHA256.HashData(body), hash.GetHashAndReset());
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Assert.Equal(raw, root.GetProperty("layerPartBlob").GetBytesFromBase64());
        Assert.Equal("team/\"quoted\"", root.GetProperty("repositoryName").GetString());
        Assert.Equal("u-1", root.GetProperty("uploadId").GetString());
        Assert.Equal(size - 1, root.GetProperty("partLastByte").GetInt64());
        part.Release();
    }

    [Fact]
    public async Task A_piece_that_is_not_a_multiple_of_three_may_only_end_the_part()
    {
        var pool = new SharedPartPool(1);
        var part = await pool.RentAsync(PartSize, 0, CancellationToken.None);

        Assert.Throws<InvalidOperationException>(() => part.Append(new byte[4], final: false));
        part.Release();
    }

    [Fact]
    public async Task The_pool_holds_a_rental_back_until_a_part_is_released_and_reuses_its_buffer()
    {
        var pool = new SharedPartPool(2);
        var first = await pool.RentAsync(PartSize, 0, CancellationToken.None);
        var second = await pool.RentAsync(PartSize, PartSize, CancellationToken.None);

        var third = pool.RentAsync(PartSize, 2L * PartSize, CancellationToken.None);
        Assert.False(third.IsCompleted);

        second.AddReferences(2); // two destinations read it, then the producer lets go
        second.Release();
        second.Release();
        Assert.False(third.IsCompleted);
        second.Release();

        Assert.Same(second, await third);
        Assert.Equal(2, pool.Allocated);
        Assert.Equal(2, pool.MaxAlive);
        first.Release();
        (await third).Release();
        Assert.Equal(0, pool.Alive);
        Assert.Throws<InvalidOperationException>(first.Release);
    }

    [Fact]
    public async Task A_part_whose_last_reference_went_is_not_taken_up_again_nor_given_back_twice()
    {
        var pool = new SharedPartPool(1);
        var part = await pool.RentAsync(PartSize, 0, CancellationToken.None);
        part.Retain();
        part.Release();
        part.Release();
        Assert.Equal(0, pool.Alive);

        // A request body that would send it now is refused: its buffer belongs to the next part.
        Assert.Throws<InvalidOperationException>(part.Retain);
        Assert.Throws<InvalidOperationException>(() => part.AddReferences(2));
        Assert.Equal(0, pool.Alive);

        // The pool's count is still right: one part, rented once more, and back once.
        var next = await pool.RentAsync(PartSize, PartSize, CancellationToken.None);
        Assert.Same(part, next);
        Assert.Equal(1, pool.Alive);
        next.Release();
        Assert.Equal(0, pool.Alive);
    }

    /// <summary>
    /// A layer above 41 GiB is cut into larger parts than the others (UploadPartSize): a free part of another size is
    /// not handed to it, or the layer would be cut at the free part's size, into more parts than its upload planned.
    /// </summary>
    [Fact]
    public async Task A_rental_gets_a_part_of_its_own_size_never_a_free_one_of_another()
    {
        var pool = new SharedPartPool(2);
        var small = await pool.RentAsync(6, 0, CancellationToken.None);
        small.Release();

        var large = await pool.RentAsync(9, 0, CancellationToken.None);
        Assert.NotSame(small, large);
        Assert.Equal(9, large.PartSize);
        large.Append(new byte[9], final: true);
        large.Seal();
        large.Release();
        Assert.Equal(2, pool.Allocated);
        Assert.Equal(0, pool.Alive);
    }

    [Fact]
    public async Task A_waiting_rental_can_be_cancelled()
    {
        var pool = new SharedPartPool(1);
        var held = await pool.RentAsync(PartSize, 0, CancellationToken.None);
        using var cancel = new CancellationTokenSource();

        var waiting = pool.RentAsync(PartSize, PartSize, cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        held.Release();
        Assert.Equal(0, pool.Alive);
    }

    /// <summary>
    /// A part back from the pool is filled again by the next rental: until that one seals it, its buffer holds the
    /// previous part's bytes cut at the new length, not a request body, so its head is refused as a new part's is.
    /// </summary>
    [Fact]
    public async Task A_reused_part_refuses_its_head_until_it_is_sealed_again()
    {
        var pool = new SharedPartPool(1);
        var first = await EncodeAsync(pool, [1, 2, 3], piece: 3);
        Assert.Equal("{\"layerPartBlob\":\"AQID\""u8.ToArray(), first.Head.ToArray());
        first.Release();

        var next = await pool.RentAsync(PartSize, PartSize, CancellationToken.None);
        Assert.Same(first, next);
        Assert.Throws<InvalidOperationException>(() => next.Head);
        next.Append([4, 5, 6], final: true);
        next.Seal();
        Assert.Equal("{\"layerPartBlob\":\"BAUG\""u8.ToArray(), next.Head.ToArray());
        next.Release();
    }

    /// <summary>
    /// A rental whose buffer cannot be made (out of memory in production; here a part size whose base64 no array can
    /// hold) gives its slot back. Else each such failure would shrink the engine's pool for the life of the process,
    /// until every download waited for a part that never comes.
    /// </summary>
    [Fact]
    public async Task A_rental_whose_buffer_cannot_be_made_gives_its_slot_back()
    {
        var pool = new SharedPartPool(1);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => pool.RentAsync(int.MaxValue, 0, CancellationToken.None));

        Assert.Equal(0, pool.Alive);
        var next = pool.RentAsync(PartSize, 0, CancellationToken.None);
        Assert.True(next.IsCompleted);
        (await next).Release();
    }
}
