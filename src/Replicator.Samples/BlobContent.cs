namespace Replicator.Samples;

/// <summary>The bytes of a sample blob, readable from any offset (ranged downloads resume from an offset).</summary>
public abstract class BlobContent
{
    public abstract long Length { get; }

    /// <summary>A new read-only stream positioned at <paramref name="offset"/>; each call is independent.</summary>
    public abstract Stream OpenRead(long offset = 0);
}
