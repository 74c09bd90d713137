using System.Security.Cryptography;

namespace Replicator.Samples;

/// <summary>
/// Pseudo-random content of any length generated from a seed, never held in memory: a 1 GiB layer costs a
/// buffer, not a gigabyte. The same seed and length always give the same bytes.
/// </summary>
public sealed class SeededContent : BlobContent
{
    private const int HashBufferSize = 1 << 16;

    public SeededContent(ulong seed, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Seed = seed;
        Length = length;
    }

    public ulong Seed { get; }

    public override long Length { get; }

    public override Stream OpenRead(long offset = 0)
    {
        var stream = new SeededStream(Seed, Length);
        stream.Position = offset;
        return stream;
    }

    /// <summary>The sha256 digest of the content, computed by streaming it through a fixed buffer.</summary>
    public string ComputeDigest()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var stream = OpenRead();
        var buffer = new byte[HashBufferSize];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            hash.AppendData(buffer.AsSpan(0, read));
        }

        return Core.Manifests.Digest.Sha256Prefix + Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
