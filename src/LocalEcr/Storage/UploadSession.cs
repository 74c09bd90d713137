using System.Security.Cryptography;

namespace LocalEcr.Storage;

/// <summary>
/// A layer upload in progress: parts are written to a temporary file and hashed as they arrive, so the
/// whole layer never sits in memory and CompleteLayerUpload needs no second pass. The file may be a reused one
/// (<see cref="BlobStore.Recycle"/>) longer than the bytes received so far: each part is written at its own offset,
/// and only the first <see cref="Length"/> bytes are the upload's.
/// </summary>
internal sealed class UploadSession : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private volatile bool _closed;
    private int _disposed;

    public required string UploadId { get; init; }

    public required string RepositoryName { get; init; }

    public required string TempPath { get; init; }

    /// <summary>The data directory's room for bytes (<see cref="BlobStore.Space"/>); unlimited unless given (a session a test builds alone).</summary>
    public DiskSpace Space { get; init; } = new();

    /// <summary>What becomes of the temporary file when the upload ends without it becoming a blob; null deletes it.</summary>
    public Action<string>? DiscardFile { get; init; }

    /// <summary>
    /// Serialises parts of this upload; parts of different uploads proceed in parallel. A request that waited on it
    /// lets go through <see cref="ReleaseGate"/>, never <c>Gate.Release()</c>.
    /// </summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    public long Length { get; private set; }

    public List<long> PartSizes { get; } = [];

    /// <summary>Set, under the registry's lock, when the upload leaves the registry's uploads: it takes no more parts.</summary>
    public bool Closed
    {
        get => _closed;
        set => _closed = value;
    }

    public async Task AppendAsync(ReadOnlyMemory<byte> part, CancellationToken cancellationToken)
    {
        // At the offset of the bytes received, not appended: a reused file holds an earlier upload's bytes past it.
        // The file exists from InitiateLayerUpload on (BlobStore.NewUploadPath): one gone since (removed from the data
        // directory under LocalEcr) is an IOException, the server's fault, never a new file whose bytes before this
        // part would be zeros, stored as the layer under the digest of the bytes received.
        using (var file = File.OpenHandle(TempPath, FileMode.Open, FileAccess.Write, FileShare.None, FileOptions.Asynchronous))
        {
            await Space.WriteAsync(file, part, Length, cancellationToken);
        }

        _hash.AppendData(part.Span);
        Length += part.Length;
        PartSizes.Add(part.Length);
    }

    public string CurrentDigest() => "sha256:" + Convert.ToHexStringLower(_hash.GetCurrentHash());

    /// <summary>
    /// Ends the upload for a caller that removed it from the registry's uploads (under the registry's lock) without
    /// holding <see cref="Gate"/>: ForgetUploads, a forced DeleteRepository, the server's disposal. A request that
    /// holds the gate may be writing a part into the file and hashing it, so the file and hash go now only if none
    /// does; otherwise that request disposes them when it lets go (<see cref="ReleaseGate"/>). Requests that take the
    /// gate after this see <see cref="Closed"/> and answer UploadNotFoundException.
    /// </summary>
    public void Close()
    {
        Closed = true;

        // Pairs with the barrier in ReleaseGate: either this sees the gate free, or the releasing request sees Closed.
        Interlocked.MemoryBarrier();
        DisposeIfIdle();
    }

    /// <summary>Lets go of <see cref="Gate"/>; the last holder of a session closed meanwhile disposes it.</summary>
    public void ReleaseGate()
    {
        Gate.Release();
        Interlocked.MemoryBarrier();
        if (Closed)
        {
            DisposeIfIdle();
        }
    }

    /// <summary>
    /// Deletes (or hands to <see cref="DiscardFile"/>) the temporary file, if it is still there; for the holder of
    /// <see cref="Gate"/> or when no request can use it. Idempotent.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        // The gate is not disposed: a request may still hold or wait on it; it owns no wait handle.
        _hash.Dispose();
        if (DiscardFile is { } discard)
        {
            discard(TempPath);
        }
        else
        {
            TryDelete(TempPath);
        }
    }

    private void DisposeIfIdle()
    {
        // A holder that took the gate meanwhile disposes the session when it releases it.
        if (Gate.Wait(0))
        {
            try
            {
                Dispose();
            }
            finally
            {
                Gate.Release();
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
