using LocalEcr.Storage;

namespace LocalEcr.Tests.Storage;

/// <summary>
/// The full-disk seam itself (src/LocalEcr/Storage/DiskSpace.cs), which FullDiskTests trust to fail a write exactly where
/// a full disk would: a write that does not fit stores the bytes that do and then fails with ENOSPC's IOException, down
/// to a write one byte short of room, in the synchronous write (a managed signature's) as in the asynchronous one (a
/// layer part's); a write that fits exactly is whole, and the next byte finds the disk full.
/// </summary>
public sealed class DiskSpaceTests : IDisposable
{
    // ENOSPC's number on Linux and macOS, the HResult .NET gives the IOException of a write to a full disk.
    private const int Enospc = 28;

    private readonly string _path = Path.Combine(Directory.CreateTempSubdirectory("localecr-diskspace-").FullName, "file");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_path)!, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_write_one_byte_short_of_the_room_left_stores_what_fits_and_fails_as_a_full_disk(bool asynchronous)
    {
        var space = new DiskSpace();
        byte[] bytes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        space.Limit(bytes.Length - 1);

        var error = await WriteAsync(space, bytes, asynchronous);

        Assert.NotNull(error);
        Assert.Equal(Enospc, error.HResult);
        Assert.Equal(bytes[..^1], await File.ReadAllBytesAsync(_path));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_write_that_fits_the_room_exactly_is_whole_and_the_next_byte_finds_the_disk_full(bool asynchronous)
    {
        var space = new DiskSpace();
        byte[] bytes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        space.Limit(bytes.Length);

        var fits = await WriteAsync(space, bytes, asynchronous);
        var full = await WriteAsync(space, [11], asynchronous, offset: bytes.Length);

        Assert.Null(fits);
        Assert.Equal(Enospc, full?.HResult);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(_path));
    }

    /// <summary>A negative room is a mistake in the test that sets it: refused at once, not a failed slice at the next write.</summary>
    [Fact]
    public void A_negative_room_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DiskSpace().Limit(-1));
    }

    /// <summary>Writes through <paramref name="space"/>; the IOException it raised, or null.</summary>
    private async Task<IOException?> WriteAsync(DiskSpace space, byte[] bytes, bool asynchronous, long offset = 0)
    {
        using var file = File.OpenHandle(_path, FileMode.OpenOrCreate, FileAccess.Write);
        try
        {
            if (asynchronous)
            {
                await space.WriteAsync(file, bytes, offset, CancellationToken.None);
            }
            else
            {
                space.Write(file, bytes, offset);
            }

            return null;
        }
        catch (IOException e)
        {
            return e;
        }
    }
}
