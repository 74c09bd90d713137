using System.Net;
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
/// When the grace for late upload sessions starts (<see cref="BlobCopyOptions.FanOutGrace"/>): mocked destinations, a
/// source whose downloads are counted, and an engine clock that moves only where the test moves it.
/// </summary>
public sealed class FanOutGraceTests
{
    private const int PartSize = 5 * 1024 * 1024;
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(7);

    /// <summary>Bounds a wait that must end, so a regression fails the test instead of hanging it; never a timing.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The grace runs from the first session that opened: a destination whose InitiateLayerUpload failed has nothing to
    /// be waited for, and starting the grace at its failure would split the sessions still opening into downloads of
    /// their own once it ran out (one download per late destination instead of one for all).
    /// </summary>
    [Fact]
    public async Task A_session_that_failed_does_not_start_the_grace_for_the_sessions_still_opening()
    {
        var data = new byte[PartSize + 11];
        new Random(17).NextBytes(data);
        var blob = new BlobToCopy("sha256:" + Convert.ToHexStringLower(SHA256.HashData(data)), data.Length, InlineData: null);
        var refused = Refuses();
        var (europe, europeCalled, europeOpens) = OpensWhenTold("eu");
        var (asia, asiaCalled, asiaOpens) = OpensWhenTold("ap");
        var (source, urls) = CountedSource();
        using var http = new HttpClient(new BlobHandler(data));
        var time = new TimerRecordingTimeProvider(DateTimeOffset.UtcNow);
        var settings = new RetrySettings();
        var options = new BlobCopyOptions { FanOutGrace = Grace, FallBehindTimeout = TimeSpan.FromHours(1), ReadTimeout = TimeSpan.FromHours(1), AllowInsecureDownloads = true };
        var pool = new SharedPartPool(4);
        var copier = new BlobCopier(http, options, settings, new RetryBackoff(settings, time, static () => 0.5), pool);
        var targets = new[] { Target(refused), Target(europe), Target(asia) };

        var copy = copier.CopyAsync(new BlobSource(source.Object, null, "src"), blob, targets, new CopySlots(1), CancellationToken.None);
        await Task.WhenAll(europeCalled, asiaCalled).WaitAsync(Bound);

        // The refusal came at once (the sessions are asked for in order); no session has opened yet: no grace is
        // running, so time passing now cannot make either late.
        refused.Verify(c => c.InitiateLayerUploadAsync(It.IsAny<InitiateLayerUploadRequest>(), It.IsAny<CancellationToken>()), Times.Once);
        Assert.DoesNotContain(Grace, time.DueTimes);
        time.Advance(Grace * 2);
        europeOpens.SetResult();
        asiaOpens.SetResult();

        Assert.Equal(blob.Size, await targets[1].Done.WaitAsync(Bound));
        Assert.Equal(blob.Size, await targets[2].Done.WaitAsync(Bound));
        await copy.WaitAsync(Bound);
        var error = await Assert.ThrowsAsync<EcrException>(() => targets[0].Done.WaitAsync(Bound));
        Assert.Equal(EcrErrorCodes.AccessDeniedException, error.ErrorCode);
        Assert.Equal(1, urls());
        Assert.Equal(0, pool.Alive);
    }

    /// <summary>
    /// A session that opens after the grace copies the blob on its own and takes a copy slot for its download; one that
    /// fails after the grace has nothing to download. Its destination hears of the failure at once, not once a slot is
    /// free: here the only slot is held by the destination that opened in time, whose part never answers.
    /// </summary>
    [Fact]
    public async Task A_session_that_fails_after_the_grace_fails_its_destination_without_waiting_for_a_copy_slot()
    {
        var data = new byte[11];
        new Random(23).NextBytes(data);
        var blob = new BlobToCopy("sha256:" + Convert.ToHexStringLower(SHA256.HashData(data)), data.Length, data);
        var (europe, europeSending) = PartNeverAnswered();
        var (asia, asiaCalled, asiaOpens) = OpensWhenTold("ap");
        var time = new TimerRecordingTimeProvider(DateTimeOffset.UtcNow);
        var settings = new RetrySettings();
        var options = new BlobCopyOptions { FanOutGrace = Grace, FallBehindTimeout = TimeSpan.FromHours(1), ReadTimeout = TimeSpan.FromHours(1) };
        var pool = new SharedPartPool(4);
        using var http = new HttpClient();
        var copier = new BlobCopier(http, options, settings, new RetryBackoff(settings, time, static () => 0.5), pool);
        var targets = new[] { Target(europe), Target(asia) };
        using var request = new CancellationTokenSource();

        var copy = copier.CopyAsync(new BlobSource(new Mock<IEcrClient>(MockBehavior.Strict).Object, null, "src"), blob, targets, new CopySlots(1), request.Token);
        await asiaCalled.WaitAsync(Bound);
        await time.TimerAsync(due => due == Grace).WaitAsync(Bound);
        time.Advance(Grace);
        await europeSending.WaitAsync(Bound);

        // Asia is late; its session fails now, while Europe's hung part holds the only slot.
        asiaOpens.SetException(new EcrException(EcrErrorCodes.AccessDeniedException, "not authorized to perform: ecr:InitiateLayerUpload"));
        var error = await Assert.ThrowsAsync<EcrException>(() => targets[1].Done.WaitAsync(Bound));
        Assert.Equal(EcrErrorCodes.AccessDeniedException, error.ErrorCode);
        Assert.False(targets[0].Done.IsCompleted);

        await request.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => targets[0].Done.WaitAsync(Bound));
        await copy.WaitAsync(Bound);
        Assert.Equal(0, pool.Alive);
    }

    /// <summary>
    /// A destination whose session opened after the grace downloads the blob on its own; when that download's bytes fail
    /// their digest (a corrupt read), the destination starts the layer over, within the restart budget, like any
    /// destination whose download failed verification: a new session and another download, while the destination that
    /// opened in time is long done. Left unsettled, the late destination would never hear of an outcome, holding its
    /// image until the request's deadline.
    /// </summary>
    [Fact]
    public async Task A_late_destination_whose_own_download_fails_its_digest_starts_the_layer_over_on_its_own()
    {
        var data = new byte[11];
        new Random(29).NextBytes(data);
        var blob = new BlobToCopy("sha256:" + Convert.ToHexStringLower(SHA256.HashData(data)), data.Length, InlineData: null);
        var (europe, _, europeOpens) = OpensWhenTold("eu");
        europeOpens.SetResult();
        var (asia, asiaCalled, asiaOpens) = OpensWhenTold("ap");
        var (source, urls) = CountedSource();
        using var http = new HttpClient(new SecondDownloadCorrupt(data));
        var time = new TimerRecordingTimeProvider(DateTimeOffset.UtcNow);
        var settings = new RetrySettings();
        var options = new BlobCopyOptions { FanOutGrace = Grace, FallBehindTimeout = TimeSpan.FromHours(1), ReadTimeout = TimeSpan.FromHours(1), AllowInsecureDownloads = true };
        var pool = new SharedPartPool(4);
        var copier = new BlobCopier(http, options, settings, new RetryBackoff(settings, time, static () => 0.5), pool);
        var targets = new[] { Target(europe), Target(asia) };

        var copy = copier.CopyAsync(new BlobSource(source.Object, null, "src"), blob, targets, new CopySlots(1), CancellationToken.None);
        await asiaCalled.WaitAsync(Bound);
        await time.TimerAsync(due => due == Grace).WaitAsync(Bound);
        time.Advance(Grace);
        Assert.Equal(blob.Size, await targets[0].Done.WaitAsync(Bound));
        asiaOpens.SetResult();

        Assert.Equal(blob.Size, await targets[1].Done.WaitAsync(Bound));
        await copy.WaitAsync(Bound);
        asia.Verify(c => c.InitiateLayerUploadAsync(It.IsAny<InitiateLayerUploadRequest>(), It.IsAny<CancellationToken>()), Times.Exactly(2));
        asia.Verify(c => c.CompleteLayerUploadAsync(It.IsAny<CompleteLayerUploadRequest>(), It.IsAny<CancellationToken>()), Times.Once);
        Assert.Equal(3, urls());
        Assert.Equal(0, pool.Alive);
    }

    private static BlobCopyTarget Target(Mock<IEcrClient> client) => new(new BlobTarget(client.Object, null, "app"), progress: null);

    /// <summary>A destination that refuses the upload session at once (a role without <c>ecr:InitiateLayerUpload</c>).</summary>
    private static Mock<IEcrClient> Refuses()
    {
        var client = new Mock<IEcrClient>(MockBehavior.Strict);
        client.Setup(c => c.InitiateLayerUploadAsync(It.IsAny<InitiateLayerUploadRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new EcrException(EcrErrorCodes.AccessDeniedException, "not authorized to perform: ecr:InitiateLayerUpload"));
        return client;
    }

    /// <summary>A destination whose session opens when the test says so; it then takes every part.</summary>
    private static (Mock<IEcrClient> Client, Task Called, TaskCompletionSource Opens) OpensWhenTold(string name)
    {
        var called = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var opens = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var client = new Mock<IEcrClient>(MockBehavior.Strict);
        client.Setup(c => c.InitiateLayerUploadAsync(It.IsAny<InitiateLayerUploadRequest>(), It.IsAny<CancellationToken>()))
            .Returns(async () =>
            {
                called.TrySetResult();
                await opens.Task;
                return new InitiateLayerUploadResponse { UploadId = name, PartSize = PartSize };
            });
        client.Setup(c => c.UploadLayerPartAsync(It.IsAny<UploadLayerPartRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new UploadLayerPartResponse());
        client.Setup(c => c.CompleteLayerUploadAsync(It.IsAny<CompleteLayerUploadRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new CompleteLayerUploadResponse());
        return (client, called.Task, opens);
    }

    /// <summary>A destination whose session opens at once and whose first UploadLayerPart only the request's cancellation ends.</summary>
    private static (Mock<IEcrClient> Client, Task Sending) PartNeverAnswered()
    {
        var sending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var client = new Mock<IEcrClient>(MockBehavior.Strict);
        client.Setup(c => c.InitiateLayerUploadAsync(It.IsAny<InitiateLayerUploadRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new InitiateLayerUploadResponse { UploadId = "eu", PartSize = PartSize });
        client.Setup(c => c.UploadLayerPartAsync(It.IsAny<UploadLayerPartRequest>(), It.IsAny<CancellationToken>()))
            .Returns<UploadLayerPartRequest, CancellationToken>(async (_, token) =>
            {
                sending.TrySetResult();
                await Task.Delay(Timeout.Infinite, token);
                return new UploadLayerPartResponse();
            });
        return (client, sending.Task);
    }

    /// <summary>The source: each GetDownloadUrlForLayer is one download of the blob.</summary>
    private static (Mock<IEcrClient> Client, Func<int> Urls) CountedSource()
    {
        var urls = 0;
        var client = new Mock<IEcrClient>(MockBehavior.Strict);
        client.Setup(c => c.GetDownloadUrlForLayerAsync(It.IsAny<GetDownloadUrlForLayerRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(() => new GetDownloadUrlForLayerResponse { DownloadUrl = $"http://blob.invalid/{Interlocked.Increment(ref urls)}" });
        return (client, () => Volatile.Read(ref urls));
    }

    /// <summary>Answers every download URL with the blob, but the second download with one byte of it flipped.</summary>
    private sealed class SecondDownloadCorrupt(byte[] data) : HttpMessageHandler
    {
        private int _requests;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = (byte[])data.Clone();
            if (Interlocked.Increment(ref _requests) == 2)
            {
                body[0] ^= 0xff;
            }

            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body) });
        }
    }

    /// <summary>Answers every download URL with the blob.</summary>
    private sealed class BlobHandler(byte[] data) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(data) });
    }
}
