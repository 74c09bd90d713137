using System.Security.Cryptography;

namespace LocalEcr.Storage;

/// <summary>
/// A layer upload in progress: parts are appended to a temporary file and hashed as they arrive, so the
/// whole layer never sits in memory and CompleteLayerUpload needs no second pass.
/// </summary>
internal sealed class UploadSession : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public required string UploadId { get; init; }

    public required string RepositoryName { get; init; }

    public required string TempPath { get; init; }

    /// <summary>Serialises parts of this upload; parts of different uploads proceed in parallel.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    public long Length { get; private set; }

    public List<long> PartSizes { get; } = [];

    public bool Closed { get; set; }

    public async Task AppendAsync(ReadOnlyMemory<byte> part, CancellationToken cancellationToken)
    {
        await using (var file = new FileStream(TempPath, FileMode.Append, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
        {
            await file.WriteAsync(part, cancellationToken);
        }

        _hash.AppendData(part.Span);
        Length += part.Length;
        PartSizes.Add(part.Length);
    }

    public string CurrentDigest() => "sha256:" + Convert.ToHexStringLower(_hash.GetCurrentHash());

    public void Dispose()
    {
        // The gate is not disposed: a request may still hold or wait on it; it owns no wait handle.
        _hash.Dispose();
        TryDelete(TempPath);
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
