namespace LocalEcr.Storage;

/// <summary>
/// Content-addressed blobs on disk. Paths are built only from a validated sha256 hex digest or from an
/// upload id this process generated, never from a name a client sent.
/// </summary>
internal sealed class BlobStore : IDisposable
{
    // Upload files kept for reuse (see Recycle): at most this many, holding at most this many bytes in all. Enough
    // for the bench's fan-out (3 destinations x 4 layers of 64 MiB in flight at once); a bigger file is deleted.
    internal const int MaxSpareFiles = 32;
    internal const long MaxSpareBytes = 1L << 30;

    private readonly string _blobs;
    private readonly string _uploads;
    private readonly string _spares;
    private readonly Stack<(string Path, long Length)> _spareFiles = new();
    private readonly Lock _spareLock = new();
    private readonly bool _keepSpares;
    private readonly FileStream _lock;
    private long _spareBytes;
    private bool _disposed;

    /// <param name="dataDirectory">Where blobs, uploads and spare upload files live.</param>
    /// <param name="keepSpares">
    /// False: <see cref="Recycle"/> deletes the file and every upload starts a new empty one
    /// (<see cref="LocalEcrOptions.SpareUploads"/>).
    /// </param>
    public BlobStore(string dataDirectory, bool keepSpares)
    {
        _keepSpares = keepSpares;
        _blobs = Path.Combine(dataDirectory, "blobs", "sha256");
        _uploads = Path.Combine(dataDirectory, "uploads");
        _spares = Path.Combine(dataDirectory, "spare-uploads");
        FileStream? held = null;
        try
        {
            Directory.CreateDirectory(_blobs);
            held = Lock(dataDirectory);

            // Uploads and spares a process that did not stop cleanly left in a kept data directory: nothing refers to
            // them. An upload session lives in the memory of the process that began it, so no upload id reaches its file
            // again, which holds the part of a layer received so far; a clean stop removes both (Registry.Dispose,
            // Dispose). Only the files LocalEcr names so go: --data-dir may be a folder that already held an "uploads"
            // folder of its own, and emptying either folder whole deleted whatever else was in it, subfolders and all.
            RemoveLeftovers(_uploads, IsUploadFileName);
            RemoveLeftovers(_spares, IsSpareFileName);
        }
        catch (Exception e)
        {
            held?.Dispose();
            if (e is (IOException and not DataDirectoryException) or UnauthorizedAccessException)
            {
                // The directory's fault, said so: as a plain IOException a host took it for the port's (Kestrel reports a
                // port in use as one), and a denied delete was no IOException at all.
                throw new DataDirectoryException($"the data directory {dataDirectory} cannot hold LocalEcr's folders: {e.Message}", e) { DataDirectory = dataDirectory };
            }

            throw;
        }

        _lock = held;
    }

    /// <summary>Room for bytes in the data directory: unlimited, unless a test fills it (<see cref="DiskSpace"/>).</summary>
    internal DiskSpace Space { get; } = new();

    /// <summary>Spare upload files kept for reuse now (for tests).</summary>
    internal int SpareCount
    {
        get
        {
            lock (_spareLock)
            {
                return _spareFiles.Count;
            }
        }
    }

    /// <summary>
    /// The file an upload writes its parts into, at the offsets of the bytes received (<see cref="UploadSession"/>):
    /// a spare from an earlier upload when there is one (it may be longer than this upload's layer; its tail is cut
    /// off by <see cref="Commit"/>), else a new empty file.
    /// </summary>
    public string NewUploadPath(string uploadId)
    {
        var path = Path.Combine(_uploads, uploadId);
        lock (_spareLock)
        {
            if (_spareFiles.TryPop(out var spare))
            {
                _spareBytes -= spare.Length;
                try
                {
                    File.Move(spare.Path, path);
                    return path;
                }
                catch (IOException)
                {
                    TryDelete(spare.Path);
                }
            }
        }

        File.Create(path).Dispose();
        return path;
    }

    public bool Exists(string digest) => File.Exists(PathOf(digest));

    /// <summary>
    /// Moves a finished upload of <paramref name="length"/> bytes into place; a concurrent identical upload simply
    /// wins, and an upload of a blob already stored (by another region or repository) leaves its file for reuse.
    /// </summary>
    public void Commit(string tempPath, string digest, long length)
    {
        var target = PathOf(digest);
        if (File.Exists(target))
        {
            Recycle(tempPath);
            return;
        }

        // A reused upload file may hold an earlier upload's bytes past this layer's end: the blob is exactly the
        // bytes received, never more.
        using (var handle = File.OpenHandle(tempPath, FileMode.Open, FileAccess.Write))
        {
            if (RandomAccess.GetLength(handle) != length)
            {
                RandomAccess.SetLength(handle, length);
            }
        }

        try
        {
            File.Move(tempPath, target, overwrite: false);
        }
        catch (IOException) when (File.Exists(target))
        {
            Recycle(tempPath);
        }
    }

    /// <summary>
    /// Keeps the file of an upload whose bytes are not needed (its blob was already stored, or the upload ended
    /// without completing) for the next upload to write over, instead of deleting it; deletes it when the spares are
    /// full. Why: writing a part into pages of the page cache a file already has costs the kernel a copy, writing it
    /// into new pages costs an allocation per 4 KiB page as well, and on the bench's VM (free page reporting hands
    /// freed memory back to the host, which faults it in again on the next touch) about ten times the copy: the
    /// kernel's copy into new page-cache pages was the largest item of LocalEcr's CPU profile in the fan-out bench,
    /// where every upload repeats a blob the source region already stores. What reaches the blob store is unchanged:
    /// <see cref="Commit"/> cuts a reused file to the bytes received. A missing file is ignored. With spares off
    /// (<see cref="LocalEcrOptions.SpareUploads"/>) the file is deleted.
    /// </summary>
    public void Recycle(string path)
    {
        if (!_keepSpares)
        {
            TryDelete(path);
            return;
        }

        long length;
        try
        {
            length = new FileInfo(path).Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone already (moved into the blob store, or recycled by Commit), or not ours to touch.
            return;
        }

        lock (_spareLock)
        {
            if (!_disposed && length > 0 && _spareFiles.Count < MaxSpareFiles && _spareBytes + length <= MaxSpareBytes)
            {
                var spare = Path.Combine(_spares, Guid.NewGuid().ToString("N"));
                try
                {
                    File.Move(path, spare);
                    _spareFiles.Push((spare, length));
                    _spareBytes += length;
                    return;
                }
                catch (FileNotFoundException)
                {
                    return;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                }
            }
        }

        TryDelete(path);
    }

    public FileStream OpenRead(string digest) =>
        new(PathOf(digest), FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);

    /// <summary>Deletes the spare upload files; an upload file recycled after this is deleted instead.</summary>
    public void Dispose()
    {
        lock (_spareLock)
        {
            _disposed = true;
            while (_spareFiles.TryPop(out var spare))
            {
                TryDelete(spare.Path);
            }

            _spareBytes = 0;
        }

        _lock.Dispose();
    }

    private string PathOf(string digest)
    {
        if (!Digests.IsSha256(digest))
        {
            throw new ArgumentException("Only validated sha256 digests map to blob paths.", nameof(digest));
        }

        return Path.Combine(_blobs, digest[7..].ToLowerInvariant());
    }

    /// <summary>The file in the data directory a server holds locked while it runs (<see cref="Lock"/>).</summary>
    internal const string LockFileName = ".localecr-lock";

    /// <summary>
    /// One server per data directory: the files a start removes (<see cref="RemoveLeftovers"/>) are, in a directory
    /// another server is using, that server's uploads in progress, whose next part or completion would then fail. The
    /// lock is the operating system's, held open for the server's life and let go when the process ends however it
    /// ends: FileShare.None is flock(2) LOCK_EX | LOCK_NB on Unix
    /// (https://learn.microsoft.com/dotnet/core/compatibility/core-libraries/6.0/filestream-file-locks-unix), a share
    /// mode on Windows. The file is never deleted: one deleted while another process waits to open it would let two
    /// servers each lock a file of that name.
    /// </summary>
    private static FileStream Lock(string dataDirectory)
    {
        // EAGAIN (EWOULDBLOCK) on Linux (11) and macOS (35), ERROR_SHARING_VIOLATION on Windows: the HResults .NET
        // gives the IOException of a file another handle holds.
        const int LinuxEagain = 11, MacEagain = 35, SharingViolation = unchecked((int)0x80070020);
        try
        {
            return new FileStream(Path.Combine(dataDirectory, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
        }
        catch (IOException e) when (e.HResult is LinuxEagain or MacEagain or SharingViolation)
        {
            throw new DataDirectoryInUseException($"the data directory {dataDirectory} is in use by another LocalEcr server: give each server its own", e) { DataDirectory = dataDirectory };
        }
    }

    /// <summary>An upload's file name: its upload id (a GUID, "D" format), or a managed signature's "signing-" and a GUID ("N").</summary>
    internal static bool IsUploadFileName(string name) =>
        Guid.TryParseExact(name, "D", out _)
        || (name.StartsWith(SigningPrefix, StringComparison.Ordinal) && Guid.TryParseExact(name[SigningPrefix.Length..], "N", out _));

    /// <summary>A spare upload file's name (<see cref="Recycle"/>): a GUID, "N" format.</summary>
    internal static bool IsSpareFileName(string name) => Guid.TryParseExact(name, "N", out _);

    /// <summary>The file name prefix of a managed signature's upload file (<see cref="ManagedSigning"/>).</summary>
    internal const string SigningPrefix = "signing-";

    /// <summary>Creates <paramref name="folder"/> if needed and deletes the files directly in it that <paramref name="ours"/> names; nothing else.</summary>
    private static void RemoveLeftovers(string folder, Func<string, bool> ours)
    {
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.EnumerateFiles(folder))
        {
            if (ours(Path.GetFileName(file)))
            {
                File.Delete(file);
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
