using Microsoft.Win32.SafeHandles;

namespace LocalEcr.Storage;

/// <summary>
/// For LocalEcr's own tests, a seam for a full data directory: every write of bytes into it (a layer part, a managed
/// signature) goes through here, and once a test has set <see cref="Limit"/>, a write that does not fit stores the bytes
/// that do and then fails, as write(2) does on a full disk (a short write, then ENOSPC:
/// https://man7.org/linux/man-pages/man2/write.2.html), with the IOException .NET raises for it. A small tmpfs would do
/// the same for real, but mounting one needs CAP_SYS_ADMIN (mount(2)), which a CI container, root or not, may not be
/// given, and a developer's machine should not be asked for. Unlimited unless set; thread safe.
/// </summary>
internal sealed class DiskSpace
{
    // ENOSPC on Linux and macOS, the HResult .NET gives the IOException of a failed write (Interop.GetExceptionForIoErrno).
    private const int Enospc = 28;

    private long _left = long.MaxValue;

    /// <summary>The data directory takes <paramref name="bytes"/> more bytes, then is full; <see cref="long.MaxValue"/>: no limit.</summary>
    public void Limit(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        Volatile.Write(ref _left, bytes);
    }

    /// <summary>Writes <paramref name="bytes"/> at <paramref name="offset"/>, or the part that fits and throws.</summary>
    public async ValueTask WriteAsync(SafeFileHandle file, ReadOnlyMemory<byte> bytes, long offset, CancellationToken cancellationToken)
    {
        var fits = Take(bytes.Length);
        await RandomAccess.WriteAsync(file, bytes[..fits], offset, cancellationToken);
        if (fits < bytes.Length)
        {
            throw Full();
        }
    }

    /// <inheritdoc cref="WriteAsync"/>
    public void Write(SafeFileHandle file, ReadOnlySpan<byte> bytes, long offset)
    {
        var fits = Take(bytes.Length);
        RandomAccess.Write(file, bytes[..fits], offset);
        if (fits < bytes.Length)
        {
            throw Full();
        }
    }

    private int Take(int want)
    {
        while (true)
        {
            var left = Volatile.Read(ref _left);
            if (left == long.MaxValue)
            {
                return want;
            }

            var taken = (int)Math.Min(left, want);
            if (Interlocked.CompareExchange(ref _left, left - taken, left) == left)
            {
                return taken;
            }
        }
    }

    private static IOException Full() => new("No space left on device", Enospc);
}
