using System.Security.Cryptography;
using Moq;
using Replicator.Core.Copy;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;
using Replicator.Core.Resilience;
using Replicator.Testing;

namespace Replicator.Core.Tests.Copy;

/// <summary>
/// A destination that must start a layer over (UploadNotFound) while the other destination of the same download never
/// answers its UploadLayerPart: mocked destinations, an inline blob, and an engine clock the test moves only once the
/// wait it moves past has been set.
/// </summary>
public sealed class RestartBesideHungSiblingTests
{
    private const int PartSize = 5 * 1024 * 1024;
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(11);

    /// <summary>Bounds a wait that must end, so a regression fails the test instead of hanging it; never a timing.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The restart waits for the shared download to end; the sibling's hung call must not make that wait as long as the
    /// call's timeout and retries. With two parts the download ends at once and the sibling's last parts hang; with three
    /// the download itself waits for the sibling's full queue. Either way the sibling stands still while the restarting
    /// destination waits on it, so it falls behind after one <see cref="BlobCopyOptions.FallBehindTimeout"/>.
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task A_layer_restart_does_not_wait_for_a_sibling_whose_part_never_answers(int parts)
    {
        var data = new byte[(PartSize * (parts - 1)) + 3];
        new Random(parts).NextBytes(data);
        var blob = new BlobToCopy("sha256:" + Convert.ToHexStringLower(SHA256.HashData(data)), data.Length, data);

        // A: its first session is lost at the first part; its second session takes every part.
        var sessions = 0;
        var a = new Mock<IEcrClient>(MockBehavior.Strict);
        a.Setup(c => c.InitiateLayerUploadAsync(It.IsAny<InitiateLayerUploadRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(() => new InitiateLayerUploadResponse { UploadId = $"a-{Interlocked.Increment(ref sessions)}", PartSize = PartSize });
        a.Setup(c => c.UploadLayerPartAsync(It.IsAny<UploadLayerPartRequest>(), It.IsAny<CancellationToken>()))
            .Returns<UploadLayerPartRequest, CancellationToken>((request, _) => request.UploadId == "a-1"
                ? Task.FromException<UploadLayerPartResponse>(new EcrException(EcrErrorCodes.UploadNotFoundException, "no such upload"))
                : Task.FromResult(new UploadLayerPartResponse()));
        a.Setup(c => c.CompleteLayerUploadAsync(It.Is<CompleteLayerUploadRequest>(r => r.UploadId == "a-2"), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new CompleteLayerUploadResponse());

        // B: its first UploadLayerPart is never answered (only its cancellation ends it).
        var bCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var b = new Mock<IEcrClient>(MockBehavior.Strict);
        b.Setup(c => c.InitiateLayerUploadAsync(It.IsAny<InitiateLayerUploadRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new InitiateLayerUploadResponse { UploadId = "b-1", PartSize = PartSize });
        b.Setup(c => c.UploadLayerPartAsync(It.IsAny<UploadLayerPartRequest>(), It.IsAny<CancellationToken>()))
            .Returns<UploadLayerPartRequest, CancellationToken>(async (_, token) =>
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, token);
                }
                finally
                {
                    bCancelled.TrySetResult();
                }

                return new UploadLayerPartResponse();
            });

        var time = new TimerRecordingTimeProvider(DateTimeOffset.UtcNow);
        var settings = new RetrySettings();
        var options = new BlobCopyOptions { FanOutGrace = Timeout.InfiniteTimeSpan, FallBehindTimeout = Period, ReadTimeout = TimeSpan.FromHours(1) };
        var pool = new SharedPartPool(8);
        using var http = new HttpClient();
        var copier = new BlobCopier(http, options, settings, new RetryBackoff(settings, time, static () => 0.5), pool);
        var source = new BlobSource(new Mock<IEcrClient>(MockBehavior.Strict).Object, null, "src");
        var targetA = new BlobCopyTarget(new BlobTarget(a.Object, null, "app"), progress: null);
        var targetB = new BlobCopyTarget(new BlobTarget(b.Object, null, "app"), progress: null);

        var copy = copier.CopyAsync(source, blob, [targetA, targetB], new CopySlots(2), CancellationToken.None);

        // Each wait of one period is passed as soon as it is set, until A is done.
        var waits = 0;
        while (!targetA.Done.IsCompleted)
        {
            var nth = waits + 1;
            var seen = 0;
            var set = time.TimerAsync(due => due == Period && ++seen == nth);
            if (await Task.WhenAny(targetA.Done, set).WaitAsync(Bound) == set)
            {
                waits++;
                time.Advance(Period);
            }
        }

        Assert.Equal(blob.Size, await targetA.Done.WaitAsync(Bound));
        Assert.Equal(2, sessions);
        var error = await Assert.ThrowsAsync<ReplicationException>(() => targetB.Done.WaitAsync(Bound));
        Assert.Equal(ReplicationErrorCodes.DestinationFellBehind, error.ErrorCode);
        Assert.True(error.IsTransient);
        await bCancelled.Task.WaitAsync(Bound);
        await copy.WaitAsync(Bound);
        Assert.Equal(0, pool.Alive);
        b.Verify(c => c.CompleteLayerUploadAsync(It.IsAny<CompleteLayerUploadRequest>(), It.IsAny<CancellationToken>()), Times.Never);
    }
}
