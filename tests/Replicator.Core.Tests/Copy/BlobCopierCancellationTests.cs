using System.Security.Cryptography;
using Moq;
using Replicator.Core.Copy;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Resilience;

namespace Replicator.Core.Tests.Copy;

/// <summary>What a copy that ends with its request's cancellation reports, with mocked destinations and no ECR.</summary>
public sealed class BlobCopierCancellationTests
{
    /// <summary>Bounds a wait that must end, so a regression fails the test instead of hanging it; never a timing.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>
    /// One destination lost its upload session (UploadNotFound, which a restart cures) while another destination of
    /// the same download was still sending, and the request's deadline fired before the layer could restart. The
    /// restart is not made, and the outcome is the cancellation, not UploadNotFound: a request that joined this copy,
    /// whose own token never fired (an SQS redelivery), takes the copy over instead of failing its destination.
    /// </summary>
    [Fact]
    public async Task A_restart_not_made_because_the_request_was_cancelled_ends_as_cancelled_and_a_joiner_takes_the_copy_over()
    {
        var data = new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
        var blob = new BlobToCopy("sha256:" + Convert.ToHexStringLower(SHA256.HashData(data)), data.Length, data);
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var a = Destination();
        a.Setup(c => c.UploadLayerPartAsync(It.IsAny<UploadLayerPartRequest>(), It.IsAny<CancellationToken>()))
            .Returns<UploadLayerPartRequest, CancellationToken>((_, _) =>
            {
                lost.TrySetResult();
                return Task.FromException<UploadLayerPartResponse>(new EcrException(EcrErrorCodes.UploadNotFoundException, "no such upload"));
            });
        var b = Destination();
        b.Setup(c => c.UploadLayerPartAsync(It.IsAny<UploadLayerPartRequest>(), It.IsAny<CancellationToken>()))
            .Returns<UploadLayerPartRequest, CancellationToken>(async (_, token) =>
            {
                sending.TrySetResult();
                await Task.Delay(Timeout.Infinite, token);
                return new UploadLayerPartResponse();
            });
        using var http = new HttpClient();
        var settings = new RetrySettings();
        var copier = new BlobCopier(http, new BlobCopyOptions(), settings, new RetryBackoff(settings, TimeProvider.System, static () => 0.5), new SharedPartPool(4));
        var source = new BlobSource(new Mock<IEcrClient>(MockBehavior.Strict).Object, null, "src");
        var targetA = new BlobCopyTarget(new BlobTarget(a.Object, null, "app"), progress: null);
        var targetB = new BlobCopyTarget(new BlobTarget(b.Object, null, "app"), progress: null);
        using var deadline = new CancellationTokenSource();
        var inFlight = new InFlightCopies<string>();

        var copy = copier.CopyAsync(source, blob, [targetA, targetB], new CopySlots(1), deadline.Token);
        var starter = inFlight.RunAsync("a", () => targetA.Done, deadline.Token);
        var retakes = 0;
        var joiner = inFlight.RunAsync("a", () => { retakes++; return Task.FromResult(9L); }, CancellationToken.None);
        await Task.WhenAll(lost.Task, sending.Task).WaitAsync(Bound);
        await deadline.CancelAsync();
        await copy.WaitAsync(Bound);

        var outcome = await Assert.ThrowsAnyAsync<Exception>(() => targetA.Done.WaitAsync(Bound));
        Assert.IsAssignableFrom<OperationCanceledException>(outcome);
        Assert.IsType<EcrException>(outcome.InnerException);
        // Taken over: the joiner's own copy ran (Joined false, as for a caller that started it).
        Assert.Equal((9L, false), await joiner.WaitAsync(Bound));
        Assert.Equal(1, retakes);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => starter);
        a.Verify(c => c.InitiateLayerUploadAsync(It.IsAny<InitiateLayerUploadRequest>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    /// <summary>
    /// The same, with the restart begun before the deadline fired (a slot free for it: its InitiateLayerUpload is under
    /// way when the request is cancelled). The outcome is the same cancellation naming the lost session, whichever of
    /// the two the deadline met; in the first test the restart may begin or not before it, in this one it has begun.
    /// </summary>
    [Fact]
    public async Task A_restart_the_request_cancelled_under_way_ends_as_cancelled_naming_why_it_restarted()
    {
        var data = new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
        var blob = new BlobToCopy("sha256:" + Convert.ToHexStringLower(SHA256.HashData(data)), data.Length, data);
        var restarting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sessions = 0;
        var a = new Mock<IEcrClient>(MockBehavior.Strict);
        a.Setup(c => c.InitiateLayerUploadAsync(It.IsAny<InitiateLayerUploadRequest>(), It.IsAny<CancellationToken>()))
            .Returns<InitiateLayerUploadRequest, CancellationToken>(async (_, token) =>
            {
                if (Interlocked.Increment(ref sessions) > 1)
                {
                    restarting.TrySetResult();
                    await Task.Delay(Timeout.Infinite, token);
                }

                return new InitiateLayerUploadResponse { UploadId = "u-1", PartSize = 5 * 1024 * 1024 };
            });
        a.Setup(c => c.UploadLayerPartAsync(It.IsAny<UploadLayerPartRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new EcrException(EcrErrorCodes.UploadNotFoundException, "no such upload"));
        var b = Destination();
        b.Setup(c => c.UploadLayerPartAsync(It.IsAny<UploadLayerPartRequest>(), It.IsAny<CancellationToken>()))
            .Returns<UploadLayerPartRequest, CancellationToken>(async (_, token) =>
            {
                await Task.Delay(Timeout.Infinite, token);
                return new UploadLayerPartResponse();
            });
        using var http = new HttpClient();
        var settings = new RetrySettings();
        var copier = new BlobCopier(http, new BlobCopyOptions(), settings, new RetryBackoff(settings, TimeProvider.System, static () => 0.5), new SharedPartPool(8));
        var source = new BlobSource(new Mock<IEcrClient>(MockBehavior.Strict).Object, null, "src");
        var targetA = new BlobCopyTarget(new BlobTarget(a.Object, null, "app"), progress: null);
        var targetB = new BlobCopyTarget(new BlobTarget(b.Object, null, "app"), progress: null);
        using var deadline = new CancellationTokenSource();

        var copy = copier.CopyAsync(source, blob, [targetA, targetB], new CopySlots(2), deadline.Token);
        await restarting.Task.WaitAsync(Bound);
        await deadline.CancelAsync();
        await copy.WaitAsync(Bound);

        var outcome = await Assert.ThrowsAnyAsync<Exception>(() => targetA.Done.WaitAsync(Bound));
        Assert.IsAssignableFrom<OperationCanceledException>(outcome);
        Assert.Equal(EcrErrorCodes.UploadNotFoundException, Assert.IsType<EcrException>(outcome.InnerException).ErrorCode);
        Assert.Equal(2, sessions);
    }

    /// <summary>
    /// The request is cancelled while its blob waits for a copy slot (every slot held by other blobs): no session is
    /// opened, and each destination's outcome is the cancellation. Told done instead, a destination would go on to a
    /// PutImage naming a layer it never received, and a request that joined this copy would take it for copied.
    /// </summary>
    [Fact]
    public async Task A_request_cancelled_while_its_blob_waits_for_a_copy_slot_ends_each_destination_cancelled()
    {
        var data = new byte[] { 1, 2, 3 };
        var blob = new BlobToCopy("sha256:" + Convert.ToHexStringLower(SHA256.HashData(data)), data.Length, data);
        var a = new Mock<IEcrClient>(MockBehavior.Strict);
        using var http = new HttpClient();
        var settings = new RetrySettings();
        var copier = new BlobCopier(http, new BlobCopyOptions(), settings, new RetryBackoff(settings, TimeProvider.System, static () => 0.5), new SharedPartPool(4));
        var source = new BlobSource(new Mock<IEcrClient>(MockBehavior.Strict).Object, null, "src");
        var target = new BlobCopyTarget(new BlobTarget(a.Object, null, "app"), progress: null);
        var slots = new CopySlots(1);
        using var held = await slots.TakeAsync(1, CancellationToken.None);
        using var deadline = new CancellationTokenSource();

        var copy = copier.CopyAsync(source, blob, [target], slots, deadline.Token);
        Assert.False(target.Done.IsCompleted);
        await deadline.CancelAsync();
        await copy.WaitAsync(Bound);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => target.Done.WaitAsync(Bound));
        a.VerifyNoOtherCalls();
    }

    private static Mock<IEcrClient> Destination()
    {
        var client = new Mock<IEcrClient>(MockBehavior.Strict);
        client.Setup(c => c.InitiateLayerUploadAsync(It.IsAny<InitiateLayerUploadRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new InitiateLayerUploadResponse { UploadId = "u-1", PartSize = 5 * 1024 * 1024 });
        return client;
    }
}
