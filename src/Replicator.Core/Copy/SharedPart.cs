using System.Buffers.Text;
using System.Security.Cryptography;
using Replicator.Core.Ecr.Http;

namespace Replicator.Core.Copy;

/// <summary>
/// One part of a blob, encoded once as the start of its UploadLayerPart body (<c>{"layerPartBlob":"BASE64"</c>) with
/// the body's SHA-256 carried along, and handed to every destination that uploads it. Only the encoded form is
/// kept: the raw bytes pass through a small read buffer on their way in (<see cref="Append"/>). Each reader
/// releases it once; the last release gives it back to its <see cref="SharedPartPool"/>, so a part costs its
/// encoded bytes once however many destinations send it, and its buffer is reused by the next part.
/// </summary>
internal sealed class SharedPart : IEncodedLayerPart
{
    private static ReadOnlySpan<byte> Prefix => "{\"layerPartBlob\":\""u8;

    private readonly SharedPartPool _pool;
    private readonly byte[] _buffer;
    private readonly Lock _hashGate = new();
    private IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private int _written;
    private int _references;
    private bool _sealed;

    public SharedPart(SharedPartPool pool, int partSize)
    {
        _pool = pool;
        PartSize = partSize;

        // Sized exactly (not from ArrayPool.Shared, which rounds 13.3 MiB up to a 16 MiB array) and uninitialized:
        // every byte used is written before it is read.
        _buffer = GC.AllocateUninitializedArray<byte>(EncodedSize(partSize));
    }

    /// <summary>The most raw bytes this part holds (the upload's part size).</summary>
    public int PartSize { get; }

    /// <summary>Offset of the part's first byte in the blob.</summary>
    public long Start { get; private set; }

    /// <summary>Raw bytes in the part.</summary>
    public int Length { get; private set; }

    public ReadOnlyMemory<byte> Head => _sealed
        ? _buffer.AsMemory(0, _written)
        : throw new InvalidOperationException("the part is still being filled");

    /// <summary>The bytes of a head for <paramref name="partSize"/> raw bytes: prefix, base64, closing quote.</summary>
    public static int EncodedSize(int partSize) => Prefix.Length + Base64.GetMaxEncodedToUtf8Length(partSize) + 1;

    /// <summary>Starts a part at <paramref name="start"/>, held by its producer (one reference).</summary>
    public void Begin(long start)
    {
        Start = start;
        Length = 0;
        _sealed = false;
        _references = 1;
        Prefix.CopyTo(_buffer);
        _written = Prefix.Length;
        _hash.Dispose();
        _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        _hash.AppendData(Prefix);
    }

    /// <summary>
    /// Encodes raw bytes onto the part. Every call but the part's last must pass a multiple of 3 bytes, so the
    /// base64 of the whole part is the concatenation of the pieces' (no padding in the middle).
    /// </summary>
    public void Append(ReadOnlySpan<byte> raw, bool final)
    {
        if (Length + raw.Length > PartSize)
        {
            throw new InvalidOperationException("more bytes than the part holds");
        }

        var target = _buffer.AsSpan(_written, _buffer.Length - _written - 1);
        var status = Base64.EncodeToUtf8(raw, target, out var consumed, out var encoded, isFinalBlock: final);
        if (status != System.Buffers.OperationStatus.Done || consumed != raw.Length)
        {
            throw new InvalidOperationException("a piece of a part that is not its last must be a multiple of 3 bytes");
        }

        _hash.AppendData(target[..encoded]);
        _written += encoded;
        Length += consumed;
    }

    /// <summary>Closes the base64 string; the part is ready to be handed out.</summary>
    public void Seal()
    {
        _buffer[_written++] = (byte)'"';
        _hash.AppendData(_buffer.AsSpan(_written - 1, 1));
        _sealed = true;
    }

    public IncrementalHash CloneHeadHash()
    {
        // Clone reads the hash state; several destinations may clone the same part at once.
        lock (_hashGate)
        {
            return _hash.Clone();
        }
    }

    /// <summary>
    /// Adds readers: the producer before handing the part out, and each request body that sends it
    /// (<see cref="Retain"/>). Only a holder may: a part whose last reference went is back in its pool, and a reader
    /// added then would send a buffer that the next part overwrites, so that is refused instead of counted.
    /// </summary>
    public void AddReferences(int count)
    {
        var current = Volatile.Read(ref _references);
        while (true)
        {
            if (current <= 0)
            {
                throw new InvalidOperationException("a shared part was taken up again after its last release (it is back in its pool)");
            }

            var seen = Interlocked.CompareExchange(ref _references, current + count, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    public void Retain() => AddReferences(1);

    public void Release()
    {
        var left = Interlocked.Decrement(ref _references);
        if (left == 0)
        {
            _pool.Return(this);
        }
        else if (left < 0)
        {
            throw new InvalidOperationException("a shared part was released more often than it was handed out");
        }
    }
}
