using System.Threading.Channels;
using Moq;
using Replicator.Core.Copy;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;
using Replicator.Testing;

namespace Replicator.Core.Tests.Copy;

/// <summary>
/// When one destination's upload falls behind the others (<see cref="BlobCopyOptions.FallBehindTimeout"/>), driven
/// call by call: every UploadLayerPart is held until the test answers it, and time moves only when the test advances
/// the engine's clock, once the wait it advances past has been set.
/// </summary>
public sealed class PartHandOutTests
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(30);

    /// <summary>Bounds a wait that must end, so a regression fails the test instead of hanging it; never a timing.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_full_queue_falls_behind_only_once_another_destination_waits_idle_not_while_its_own_call_hangs()
    {
        var time = new TimerRecordingTimeProvider(DateTimeOffset.UtcNow);
        var handOut = new PartHandOut(new BlobCopyOptions { FallBehindTimeout = Period }, time);
        var pool = new SharedPartPool(4);
        var a = await Destination.StartAsync();
        var b = await Destination.StartAsync();
        PartUpload[] uploads = [a.Upload, b.Upload];

        // Part 0 goes on the wire at both; part 1 waits in both queues (one part in flight each).
        await handOut.HandOutAsync(await TestParts.SealedAsync(pool, 0), uploads, CancellationToken.None);
        await a.NextCallAsync();
        var bFirst = await b.NextCallAsync();
        await handOut.HandOutAsync(await TestParts.SealedAsync(pool, 3), uploads, CancellationToken.None);

        // B's first part lands and it sends part 1, which hangs: B's queue is empty, but with its own call on the wire.
        bFirst.Answer();
        var bSecond = await b.NextCallAsync();
        Assert.Equal(3, bSecond.Request.PartFirstByte);

        // Part 2 finds A's queue full. After a whole period nobody kept up (B took nothing and waits on its own call):
        // holding A back holds back nobody, so A waits another period instead of falling behind.
        var handing = handOut.HandOutAsync(await TestParts.SealedAsync(pool, 6), uploads, CancellationToken.None);
        await TimerAsync(time, 1).WaitAsync(Bound);
        time.Advance(Period);
        await Task.WhenAny(TimerAsync(time, 2), handing).WaitAsync(Bound);
        Assert.False(a.Upload.Failed);
        Assert.False(handing.IsCompleted);

        // B's part 1 lands, and B waits for part 2 with an empty queue: now A holds B back, and falls behind a period on.
        bSecond.Answer();
        await b.AnsweredAsync(2).WaitAsync(Bound);
        time.Advance(Period);
        await handing.WaitAsync(Bound);

        var error = Assert.IsType<ReplicationException>(a.Upload.Error);
        Assert.Equal(ReplicationErrorCodes.DestinationFellBehind, error.ErrorCode);
        Assert.True(error.IsTransient);
        Assert.False(b.Upload.Failed);
        var bThird = await b.NextCallAsync();
        Assert.Equal(6, bThird.Request.PartFirstByte);
        bThird.Answer();

        // A's hung call was cancelled by the fall-behind, and every part went back to the pool.
        await a.EndAsync(b);
        Assert.Equal(0, pool.Alive);
    }

    [Fact]
    public async Task After_the_download_a_destination_falls_behind_only_after_a_whole_period_without_taking_a_part()
    {
        var time = new TimerRecordingTimeProvider(DateTimeOffset.UtcNow);
        var handOut = new PartHandOut(new BlobCopyOptions { FallBehindTimeout = Period }, time);
        var pool = new SharedPartPool(4);
        var a = await Destination.StartAsync();
        var b = await Destination.StartAsync(partsInFlight: 2);

        // The download is over: A holds one part, B three (one on the wire, two queued).
        Assert.True(a.Upload.Parts.Writer.TryWrite(await TestParts.SealedAsync(pool, 0)));
        a.Upload.Parts.Writer.Complete();
        Assert.True(b.Upload.Parts.Writer.TryWrite(await TestParts.SealedAsync(pool, 0)));
        var bFirst = await b.NextCallAsync();
        Assert.True(b.Upload.Parts.Writer.TryWrite(await TestParts.SealedAsync(pool, 3)));
        Assert.True(b.Upload.Parts.Writer.TryWrite(await TestParts.SealedAsync(pool, 6)));
        b.Upload.Parts.Writer.Complete();
        var watching = handOut.WatchTheLastPartsAsync([a.Upload, b.Upload], [a.Sender, b.Sender], CancellationToken.None);

        // The watch starts once A has sent all its parts.
        Assert.Empty(time.DueTimes);
        (await a.NextCallAsync()).Answer();
        await TimerAsync(time, 1).WaitAsync(Bound);

        // B is slow, but takes a part within the period: it goes on into a second one.
        bFirst.Answer();
        var bSecond = await b.NextCallAsync();
        time.Advance(Period);
        await Task.WhenAny(TimerAsync(time, 2), watching).WaitAsync(Bound);
        Assert.False(b.Upload.Failed);

        // Then its part hangs for a whole period: it falls behind, at the bytes it had sent.
        time.Advance(Period);
        await watching.WaitAsync(Bound);
        var error = Assert.IsType<ReplicationException>(b.Upload.Error);
        Assert.Equal(ReplicationErrorCodes.DestinationFellBehind, error.ErrorCode);
        Assert.Contains("at byte 3 ", error.Message, StringComparison.Ordinal);
        await bSecond.Cancelled.WaitAsync(Bound);

        await a.EndAsync(b);
        Assert.False(a.Upload.Failed);
        Assert.Equal(0, pool.Alive);
    }

    [Fact]
    public async Task A_fall_behind_decided_while_CompleteLayerUpload_is_under_way_does_not_cancel_it_and_the_layer_counts_as_published()
    {
        var completing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answer = new TaskCompletionSource<CompleteLayerUploadResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        var token = CancellationToken.None;
        var client = new Mock<IEcrClient>(MockBehavior.Strict);
        client.Setup(c => c.InitiateLayerUploadAsync(It.IsAny<InitiateLayerUploadRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new InitiateLayerUploadResponse { UploadId = "u-1", PartSize = 5 * 1024 * 1024 });
        client.Setup(c => c.CompleteLayerUploadAsync(It.IsAny<CompleteLayerUploadRequest>(), It.IsAny<CancellationToken>()))
            .Returns<CompleteLayerUploadRequest, CancellationToken>((_, callToken) =>
            {
                token = callToken;
                completing.TrySetResult();
                return answer.Task;
            });
        var upload = new PartUpload(new BlobCopyTarget(new BlobTarget(client.Object, null, "app"), progress: null), Blob, partsInFlight: 1);
        await upload.InitiateAsync(CancellationToken.None);

        var complete = upload.CompleteAsync(CancellationToken.None);
        await completing.Task.WaitAsync(Bound);
        upload.Abandon(new ReplicationException(ReplicationErrorCodes.DestinationFellBehind, "stood still", isTransient: true));
        Assert.False(token.IsCancellationRequested);
        answer.SetResult(new CompleteLayerUploadResponse());

        // CompleteLayerUpload said the layer is in: the copy publishes it (BlobCopier succeeds the target on this).
        Assert.True(await complete.WaitAsync(Bound));
        Assert.True(upload.Failed);
    }

    /// <summary>
    /// The request's deadline fires while the download waits at a full queue: the part it was handing out reached no
    /// queue, so every reference it took for the uploads goes back, the one of the upload it waited for included, and
    /// the part returns to the pool (else it would hold a pool slot for the life of the process).
    /// </summary>
    [Fact]
    public async Task A_part_whose_hand_out_is_cancelled_at_a_full_queue_goes_back_to_the_pool()
    {
        var time = new TimerRecordingTimeProvider(DateTimeOffset.UtcNow);
        var handOut = new PartHandOut(new BlobCopyOptions { FallBehindTimeout = Period }, time);
        var pool = new SharedPartPool(4);
        var a = await Destination.StartAsync();
        var b = await Destination.StartAsync();
        PartUpload[] uploads = [a.Upload, b.Upload];

        // Part 0 on the wire at both, part 1 in both queues: part 2 waits at A's full queue.
        await handOut.HandOutAsync(await TestParts.SealedAsync(pool, 0), uploads, CancellationToken.None);
        var aFirst = await a.NextCallAsync();
        var bFirst = await b.NextCallAsync();
        await handOut.HandOutAsync(await TestParts.SealedAsync(pool, 3), uploads, CancellationToken.None);
        using var request = new CancellationTokenSource();
        var handing = handOut.HandOutAsync(await TestParts.SealedAsync(pool, 6), uploads, request.Token);
        await TimerAsync(time, 1).WaitAsync(Bound);

        await request.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => handing.WaitAsync(Bound));
        Assert.Equal(2, pool.Alive);
        Assert.False(a.Upload.Failed);
        Assert.False(b.Upload.Failed);

        aFirst.Answer();
        bFirst.Answer();
        await a.EndAsync(b);
        Assert.Equal(0, pool.Alive);
    }

    /// <summary>
    /// The download waits for a part of the engine's pool, which another blob holds but for one part: the one A's hung
    /// call holds on the wire. A's queue is empty, yet A holds B, idle with an empty queue, back as surely as a full queue
    /// would (a degraded region whose calls all hang: its lone copy of another blob keeps its parts, and its upload of
    /// this one keeps the last one free). A falls behind after one period, its call cancelled and its part back in the
    /// pool, and the download gets the part; B, waiting idle, does not fall behind.
    /// </summary>
    [Fact]
    public async Task A_call_hung_on_the_part_the_download_waits_for_in_the_pool_falls_behind_though_its_queue_is_empty()
    {
        var time = new TimerRecordingTimeProvider(DateTimeOffset.UtcNow);
        var handOut = new PartHandOut(new BlobCopyOptions { FallBehindTimeout = Period }, time);
        var pool = new SharedPartPool(2);
        var a = await Destination.StartAsync();
        var b = await Destination.StartAsync();
        PartUpload[] uploads = [a.Upload, b.Upload];

        // Another blob's part, held for as long as that blob's own destination hangs.
        var elsewhere = await TestParts.SealedAsync(pool, 0);

        // Part 0 goes on the wire at both; B's lands, A's hangs.
        await handOut.HandOutAsync(await TestParts.SealedAsync(pool, 0), uploads, CancellationToken.None);
        var aFirst = await a.NextCallAsync();
        (await b.NextCallAsync()).Answer();
        await b.AnsweredAsync(1).WaitAsync(Bound);

        // The pool is spent: the download waits for a part, a whole period.
        var renting = handOut.RentAsync(pool, 5 * 1024 * 1024, 3, uploads, CancellationToken.None);
        await TimerAsync(time, 1).WaitAsync(Bound);
        time.Advance(Period);

        var part = await renting.WaitAsync(Bound);
        var error = Assert.IsType<ReplicationException>(a.Upload.Error);
        Assert.Equal(ReplicationErrorCodes.DestinationFellBehind, error.ErrorCode);
        await aFirst.Cancelled.WaitAsync(Bound);
        Assert.False(b.Upload.Failed);

        part.Release();
        elsewhere.Release();
        await a.EndAsync(b);
        Assert.Equal(0, pool.Alive);
    }

    /// <summary>
    /// The request is cancelled while the download waits for a part of the pool, just as a part comes free: the pool hands
    /// that part to the rental the download is giving up on. It goes back, or it would hold a pool slot for the life of
    /// the process. The part comes free in a callback of the same cancellation registered after the download's wait; .NET
    /// runs a token's callbacks last registered first, so the rental is granted before the wait is cancelled. Should the
    /// rental still end before the wait sees the cancellation, the download gets the part and the test gives it back: the
    /// pool ends empty either way, whatever the order, so the test cannot fail on a correct product; the order only
    /// decides whether a round checks the give-back. Five rounds, for that.
    /// </summary>
    [Fact]
    public async Task A_part_the_pool_hands_over_as_the_request_is_cancelled_goes_back_to_the_pool()
    {
        for (var round = 0; round < 5; round++)
        {
            var time = new TimerRecordingTimeProvider(DateTimeOffset.UtcNow);
            var handOut = new PartHandOut(new BlobCopyOptions { FallBehindTimeout = Period }, time);
            var pool = new SharedPartPool(1);
            var a = await Destination.StartAsync();
            var b = await Destination.StartAsync();
            var held = await TestParts.SealedAsync(pool, 0);
            using var request = new CancellationTokenSource();

            // Two uploads: the download's wait for a part is then the watched one, in periods.
            var renting = handOut.RentAsync(pool, 5 * 1024 * 1024, 3, [a.Upload, b.Upload], request.Token);
            await TimerAsync(time, 1).WaitAsync(Bound);
            using (request.Token.Register(held.Release))
            {
                await request.CancelAsync();
            }

            try
            {
                (await renting.WaitAsync(Bound)).Release();
            }
            catch (OperationCanceledException)
            {
                // The download gave the wait up; the part the pool handed over must be back all the same (below).
            }

            Assert.Equal(0, pool.Alive);
            await a.EndAsync(b);
        }
    }

    private static readonly BlobToCopy Blob = new("sha256:" + new string('a', 64), 9);

    /// <summary>
    /// Completes once the engine has set its <paramref name="nth"/> wait of one <see cref="Period"/>. The match counts
    /// the waits it is shown, those set already first, then each one as it is set.
    /// </summary>
    private static Task TimerAsync(TimerRecordingTimeProvider time, int nth)
    {
        var seen = 0;
        return time.TimerAsync(due => due == Period && ++seen == nth);
    }

    /// <summary>One destination's upload of <see cref="Blob"/>, its UploadLayerPart calls held until answered.</summary>
    private sealed class Destination
    {
        private readonly Channel<HeldCall> _calls = Channel.CreateUnbounded<HeldCall>();
        private readonly List<TaskCompletionSource> _answered = [];
        private int _answers;

        private Destination(int partsInFlight)
        {
            var client = new Mock<IEcrClient>(MockBehavior.Strict);
            client.Setup(c => c.InitiateLayerUploadAsync(It.IsAny<InitiateLayerUploadRequest>(), It.IsAny<CancellationToken>()))
                .ReturnsAsync(new InitiateLayerUploadResponse { UploadId = "u-1", PartSize = 5 * 1024 * 1024 });
            client.Setup(c => c.UploadLayerPartAsync(It.IsAny<UploadLayerPartRequest>(), It.IsAny<CancellationToken>()))
                .Returns<UploadLayerPartRequest, CancellationToken>((request, token) =>
                {
                    var call = new HeldCall(request, token);
                    _calls.Writer.TryWrite(call);
                    return call.Answered;
                });
            Upload = new PartUpload(new BlobCopyTarget(new BlobTarget(client.Object, null, "app"), new ProgressSignal(this)), Blob, partsInFlight);
        }

        public PartUpload Upload { get; }

        public Task Sender { get; private set; } = Task.CompletedTask;

        public static async Task<Destination> StartAsync(int partsInFlight = 1)
        {
            var destination = new Destination(partsInFlight);
            await destination.Upload.InitiateAsync(CancellationToken.None);
            destination.Sender = destination.Upload.UploadPartsAsync(CancellationToken.None);
            return destination;
        }

        public Task<HeldCall> NextCallAsync() => _calls.Reader.ReadAsync().AsTask().WaitAsync(Bound);

        /// <summary>Completes once <paramref name="count"/> parts have been sent and answered (the upload's progress).</summary>
        public Task AnsweredAsync(int count)
        {
            lock (_answered)
            {
                return Answered(count).Task;
            }
        }

        /// <summary>Ends both uploads: no more parts, every call still held answered, both senders done.</summary>
        public async Task EndAsync(Destination other)
        {
            foreach (var destination in new[] { this, other })
            {
                destination.Upload.Parts.Writer.TryComplete();
                _ = Task.Run(async () =>
                {
                    await foreach (var call in destination._calls.Reader.ReadAllAsync())
                    {
                        call.Answer();
                    }
                });
            }

            await Task.WhenAll(Sender, other.Sender).WaitAsync(Bound);
            _calls.Writer.TryComplete();
            other._calls.Writer.TryComplete();
        }

        private void Reported()
        {
            lock (_answered)
            {
                Answered(++_answers).TrySetResult();
            }
        }

        /// <summary>The signal of the <paramref name="count"/>th answer, made by whichever comes first: its wait or its report. Under the lock.</summary>
        private TaskCompletionSource Answered(int count)
        {
            while (_answered.Count < count)
            {
                _answered.Add(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            }

            return _answered[count - 1];
        }

        private sealed class ProgressSignal(Destination destination) : IProgress<long>
        {
            public void Report(long value) => destination.Reported();
        }
    }

    /// <summary>An UploadLayerPart on the wire: answered by the test, or cancelled by the engine through its token.</summary>
    private sealed class HeldCall
    {
        private readonly TaskCompletionSource<UploadLayerPartResponse> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public HeldCall(UploadLayerPartRequest request, CancellationToken token)
        {
            Request = request;
            token.Register(() =>
            {
                _cancelled.TrySetResult();
                _answer.TrySetCanceled(token);
            });
        }

        public UploadLayerPartRequest Request { get; }

        public Task<UploadLayerPartResponse> Answered => _answer.Task;

        public Task Cancelled => _cancelled.Task;

        public void Answer() => _answer.TrySetResult(new UploadLayerPartResponse());
    }
}
