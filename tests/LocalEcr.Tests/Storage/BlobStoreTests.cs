using LocalEcr.Storage;

namespace LocalEcr.Tests.Storage;

/// <summary>
/// The blob store's own bookkeeping of upload files (src/LocalEcr/Storage/BlobStore.cs), where the API cannot tell it
/// apart: which files it keeps for reuse (at most <see cref="BlobStore.MaxSpareFiles"/>, of at most
/// <see cref="BlobStore.MaxSpareBytes"/> in all, none empty), and that Commit keeps the file of a blob already stored
/// itself, as a managed signature's file (which no upload session discards afterwards) needs.
/// </summary>
public sealed class BlobStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("localecr-blobstore-").FullName;

    private string Uploads => Path.Combine(_dir, "uploads");

    private string Spares => Path.Combine(_dir, "spare-uploads");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// Commit of a blob stored already leaves nothing in DATA/uploads: a managed signature's file has no upload session
    /// to discard it after the commit (ManagedSigning.Put), so Commit keeps it as a spare itself.
    /// </summary>
    [Fact]
    public void Commit_of_a_blob_stored_already_keeps_the_file_as_a_spare_itself()
    {
        using var store = new BlobStore(_dir, keepSpares: true);
        var bytes = "a layer"u8.ToArray();
        var digest = Digests.Sha256Of(bytes);
        store.Commit(Write(store.NewUploadPath("first"), bytes), digest, bytes.Length);
        var second = Write(store.NewUploadPath("second"), bytes);

        store.Commit(second, digest, bytes.Length);

        Assert.Empty(Directory.GetFiles(Uploads));
        Assert.Equal(1, store.SpareCount);
        Assert.Equal(bytes, File.ReadAllBytes(Assert.Single(Directory.GetFiles(Spares))));
    }

    [Fact]
    public void At_most_MaxSpareFiles_files_are_kept_and_the_next_one_is_deleted()
    {
        using var store = new BlobStore(_dir, keepSpares: true);

        for (var i = 0; i <= BlobStore.MaxSpareFiles; i++)
        {
            store.Recycle(Write(Path.Combine(Uploads, "upload-" + i), [1]));
        }

        Assert.Equal(BlobStore.MaxSpareFiles, store.SpareCount);
        Assert.Equal(BlobStore.MaxSpareFiles, Directory.GetFiles(Spares).Length);
        Assert.Empty(Directory.GetFiles(Uploads));
    }

    /// <summary>
    /// Files of exactly <see cref="BlobStore.MaxSpareBytes"/> in all are kept; one byte more is deleted. The large file is
    /// sparse (SetLength writes no data), so the test takes no gigabyte of disk.
    /// </summary>
    [Fact]
    public void Files_of_MaxSpareBytes_in_all_are_kept_and_one_byte_more_is_deleted()
    {
        using var store = new BlobStore(_dir, keepSpares: true);
        var large = Path.Combine(Uploads, "large");
        using (var file = File.Create(large))
        {
            file.SetLength(BlobStore.MaxSpareBytes - 1);
        }

        store.Recycle(large);
        store.Recycle(Write(Path.Combine(Uploads, "fills-it"), [1]));
        var over = Write(Path.Combine(Uploads, "one-byte-over"), [1]);
        store.Recycle(over);

        Assert.Equal(2, store.SpareCount);
        Assert.False(File.Exists(over));
        Assert.Empty(Directory.GetFiles(Uploads));
    }

    /// <summary>
    /// An upload that ended before its first part leaves an empty file: there are no pages of the page cache to write
    /// over in it, so it is deleted rather than take a spare's place.
    /// </summary>
    [Fact]
    public void An_empty_upload_file_is_deleted_not_kept()
    {
        using var store = new BlobStore(_dir, keepSpares: true);
        var empty = store.NewUploadPath("never-written");

        store.Recycle(empty);

        Assert.Equal(0, store.SpareCount);
        Assert.Empty(Directory.GetFiles(Spares));
        Assert.Empty(Directory.GetFiles(Uploads));
    }

    private static string Write(string path, byte[] bytes)
    {
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
