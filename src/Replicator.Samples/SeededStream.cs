using System.Buffers.Binary;

namespace Replicator.Samples;

/// <summary>
/// A read-only, seekable stream of deterministic bytes: each 8-byte block is SplitMix64 of the seed and the block
/// index (Steele, Lea, Flood, "Fast splittable pseudorandom number generators", 2014), so any offset can be read
/// directly without generating what precedes it.
/// </summary>
public sealed class SeededStream : Stream
{
    private readonly ulong _seed;
    private readonly long _length;
    private long _position;

    public SeededStream(ulong seed, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _seed = seed;
        _length = length;
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, _length);
            _position = value;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var count = (int)Math.Min(buffer.Length, _length - _position);
        var rest = buffer[..count];
        Span<byte> block = stackalloc byte[8];

        // Whole blocks are written in place; only a partial block at either end goes through the scratch block.
        while (rest.Length > 0)
        {
            var blockIndex = (ulong)(_position / 8);
            var within = (int)(_position % 8);
            int take;
            if (within == 0 && rest.Length >= 8)
            {
                var whole = rest.Length / 8;
                for (var i = 0; i < whole; i++)
                {
                    BinaryPrimitives.WriteUInt64LittleEndian(rest.Slice(i * 8, 8), Mix(_seed, blockIndex + (ulong)i));
                }

                take = whole * 8;
            }
            else
            {
                BinaryPrimitives.WriteUInt64LittleEndian(block, Mix(_seed, blockIndex));
                take = Math.Min(8 - within, rest.Length);
                block.Slice(within, take).CopyTo(rest);
            }

            rest = rest[take..];
            _position += take;
        }

        return count;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        SeekOrigin.End => _length + offset,
        _ => throw new ArgumentOutOfRangeException(nameof(origin)),
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private static ulong Mix(ulong seed, ulong index)
    {
        var z = seed + ((index + 1) * 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
