namespace Replicator.Samples;

/// <summary>Small content held in memory (configs, manifests' inline blobs).</summary>
public sealed class BytesContent(ReadOnlyMemory<byte> bytes) : BlobContent
{
    public ReadOnlyMemory<byte> Bytes { get; } = bytes;

    public override long Length => Bytes.Length;

    public override Stream OpenRead(long offset = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, Length);
        return new MemoryStream(Bytes[(int)offset..].ToArray(), writable: false);
    }
}
