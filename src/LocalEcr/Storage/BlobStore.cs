namespace LocalEcr.Storage;

/// <summary>
/// Content-addressed blobs on disk. Paths are built only from a validated sha256 hex digest or from an
/// upload id this process generated, never from a name a client sent.
/// </summary>
internal sealed class BlobStore
{
    private readonly string _blobs;
    private readonly string _uploads;

    public BlobStore(string dataDirectory)
    {
        _blobs = Path.Combine(dataDirectory, "blobs", "sha256");
        _uploads = Path.Combine(dataDirectory, "uploads");
        Directory.CreateDirectory(_blobs);
        Directory.CreateDirectory(_uploads);
    }

    public string NewUploadPath(string uploadId)
    {
        var path = Path.Combine(_uploads, uploadId);
        File.Create(path).Dispose();
        return path;
    }

    public bool Exists(string digest) => File.Exists(PathOf(digest));

    public long Length(string digest) => new FileInfo(PathOf(digest)).Length;

    /// <summary>Moves a finished upload into place; a concurrent identical upload simply wins.</summary>
    public void Commit(string tempPath, string digest)
    {
        var target = PathOf(digest);
        try
        {
            File.Move(tempPath, target, overwrite: false);
        }
        catch (IOException) when (File.Exists(target))
        {
            File.Delete(tempPath);
        }
    }

    public FileStream OpenRead(string digest) =>
        new(PathOf(digest), FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);

    private string PathOf(string digest)
    {
        if (!Digests.IsSha256(digest))
        {
            throw new ArgumentException("Only validated sha256 digests map to blob paths.", nameof(digest));
        }

        return Path.Combine(_blobs, digest[7..].ToLowerInvariant());
    }
}
