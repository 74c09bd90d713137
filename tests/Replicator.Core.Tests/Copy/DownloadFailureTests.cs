using Moq;
using Replicator.Core.Copy;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;
using Replicator.Core.Resilience;

namespace Replicator.Core.Tests.Copy;

/// <summary>
/// A shared download that fails (here its digest, the same path as a spent resume budget or a source that refuses the
/// layer) publishes nothing: every upload stops at once, with mocked destinations and no ECR.
/// </summary>
public sealed class DownloadFailureTests
{
    /// <summary>Bounds a wait that must end, so a regression fails the test instead of hanging it; never a timing.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(1);

    private const int PartSize = 5 * 1024 * 1024;

    /// <summary>
    /// Every destination is told the download's failure without waiting for a destination whose UploadLayerPart
    /// hangs: its call is cancelled (the request's own token never fires here), so the copy's slot and the others'
    /// outcomes are not held until that call's retries run out.
    /// </summary>
    [Fact]
    public async Task A_failed_download_tells_every_destination_at_once_even_beside_a_hung_call()
    {
        var data = new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
        var blob = new BlobToCopy("sha256:" + new string('b', 64), data.Length, data);
        var healthy = Destination((_, _) => Task.FromResult(new UploadLayerPartResponse()));
        var hung = Destination(async (_, token) =>
        {
            await Task.Delay(Timeout.Infinite, token);
            return new UploadLayerPartResponse();
        });
        var pool = new SharedPartPool(4);
        using var http = new HttpClient();
        var copier = Copier(http, pool);
        var a = new BlobCopyTarget(new BlobTarget(healthy.Object, null, "app"), progress: null);
        var b = new BlobCopyTarget(new BlobTarget(hung.Object, null, "app"), progress: null);

        await copier.CopyAsync(Source(), blob, [a, b], new CopySlots(1), CancellationToken.None).WaitAsync(Bound);

        foreach (var target in new[] { a, b })
        {
            var error = await Assert.ThrowsAsync<ReplicationException>(() => target.Done.WaitAsync(Bound));
            Assert.Equal(ReplicationErrorCodes.DigestMismatch, error.ErrorCode);
        }

        Assert.Equal(0, pool.Alive);
        healthy.Verify(c => c.CompleteLayerUploadAsync(It.IsAny<CompleteLayerUploadRequest>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    /// <summary>
    /// A part still queued when the download fails is given back, not sent: nothing of that download can be published.
    /// The first part's call never answers by itself, so only the download's failure can end it.
    /// </summary>
    [Fact]
    public async Task A_part_queued_when_the_download_fails_is_not_sent()
    {
        var data = new byte[PartSize + 7];
        new Random(3).NextBytes(data);
        var blob = new BlobToCopy("sha256:" + new string('c', 64), data.Length, data);
        var calls = 0;
        var destination = Destination(async (_, token) =>
        {
            Interlocked.Increment(ref calls);
            await Task.Delay(Timeout.Infinite, token);
            return new UploadLayerPartResponse();
        });
        var pool = new SharedPartPool(4);
        using var http = new HttpClient();
        var target = new BlobCopyTarget(new BlobTarget(destination.Object, null, "app"), progress: null);

        await Copier(http, pool).CopyAsync(Source(), blob, [target], new CopySlots(1), CancellationToken.None).WaitAsync(Bound);

        var error = await Assert.ThrowsAsync<ReplicationException>(() => target.Done.WaitAsync(Bound));
        Assert.Equal(ReplicationErrorCodes.DigestMismatch, error.ErrorCode);
        Assert.Equal(1, Volatile.Read(ref calls));
        Assert.Equal(0, pool.Alive);
    }

    /// <summary>
    /// A body longer than the descriptor declares is refused for good (BlobDownload's SizeMismatch, not transient) once
    /// the declared bytes are in: the copier asks for one byte more before it verifies, also when the declared bytes end
    /// on a part's boundary (no read of the part goes past them). Nothing is published, and the
    /// layer is not started over: a fresh session and download would read the same source again, so restarts would only
    /// multiply the downloads (UploadSettlement restarts a SizeMismatch only when it is transient, a body cut short).
    /// </summary>
    [Fact]
    public async Task A_body_longer_than_its_descriptor_is_refused_without_a_restart_or_a_CompleteLayerUpload()
    {
        // Exactly one part: the part ends with the declared bytes, so only the copier's read past them sees the extra one.
        var declared = new byte[PartSize];
        new Random(5).NextBytes(declared);
        var blob = new BlobToCopy("sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(declared)), declared.Length, [.. declared, 10]);
        var destination = Destination((_, _) => Task.FromResult(new UploadLayerPartResponse()));
        var pool = new SharedPartPool(4);
        using var http = new HttpClient();
        var target = new BlobCopyTarget(new BlobTarget(destination.Object, null, "app"), progress: null);

        await Copier(http, pool, maxLayerRestarts: 2).CopyAsync(Source(), blob, [target], new CopySlots(1), CancellationToken.None).WaitAsync(Bound);

        var error = await Assert.ThrowsAsync<ReplicationException>(() => target.Done.WaitAsync(Bound));
        Assert.Equal(ReplicationErrorCodes.SizeMismatch, error.ErrorCode);
        Assert.False(error.IsTransient);
        destination.Verify(c => c.InitiateLayerUploadAsync(It.IsAny<InitiateLayerUploadRequest>(), It.IsAny<CancellationToken>()), Times.Once);
        destination.Verify(c => c.CompleteLayerUploadAsync(It.IsAny<CompleteLayerUploadRequest>(), It.IsAny<CancellationToken>()), Times.Never);
        Assert.Equal(0, pool.Alive);
    }

    /// <summary>No layer restart unless asked: the digest mismatch is the outcome, not a second download.</summary>
    private static BlobCopier Copier(HttpClient http, SharedPartPool pool, int maxLayerRestarts = 0)
    {
        var settings = new RetrySettings { MaxLayerRestarts = maxLayerRestarts };
        return new BlobCopier(http, new BlobCopyOptions(), settings, new RetryBackoff(settings, TimeProvider.System, static () => 0.5), pool);
    }

    private static BlobSource Source() => new(new Mock<IEcrClient>(MockBehavior.Strict).Object, null, "src");

    private static Mock<IEcrClient> Destination(Func<UploadLayerPartRequest, CancellationToken, Task<UploadLayerPartResponse>> upload)
    {
        var client = new Mock<IEcrClient>(MockBehavior.Strict);
        client.Setup(c => c.InitiateLayerUploadAsync(It.IsAny<InitiateLayerUploadRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new InitiateLayerUploadResponse { UploadId = "u-1", PartSize = PartSize });
        client.Setup(c => c.UploadLayerPartAsync(It.IsAny<UploadLayerPartRequest>(), It.IsAny<CancellationToken>()))
            .Returns<UploadLayerPartRequest, CancellationToken>(upload);
        return client;
    }
}
