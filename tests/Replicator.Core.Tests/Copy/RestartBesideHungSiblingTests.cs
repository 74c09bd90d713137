using System.Diagnostics;
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
/// A destination that never answers (its UploadLayerPart or its CompleteLayerUpload) beside one that must start a layer
/// over (UploadNotFound) or simply goes on: mocked destinations, inline blobs, and an engine clock the test moves only
/// once the wait it moves past has been set.
/// </summary>
public sealed class RestartBesideHungSiblingTests
{
    private const int PartSize = 5 * 1024 * 1024;
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(11);

    /// <summary>Bounds a wait that must end, so a regression fails the test instead of hanging it; never a timing.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The restart waits for the shared download to end; the sibling's hung call must not make that wait as long as the
    /// call's timeout and retries. With two parts the download ends at once and the sibling's last parts hang: the
    /// restart takes the second slot at once, and the sibling, standing still, falls behind after one
    /// <see cref="BlobCopyOptions.FallBehindTimeout"/>, before or after the restart is done. With three the download
    /// itself waits for the sibling's full queue, so the sibling falls behind before the restart can begin. With one
    /// part, one copy slot and one restart allowed, the restart (its last) has begun and waits for the slot the sibling's
    /// hung last part holds: the sibling falls behind all the same.
    /// </summary>
    [Theory]
    [InlineData(2, 2, 2)]
    [InlineData(3, 2, 2)]
    [InlineData(1, 1, 1)]
    public async Task A_layer_restart_does_not_wait_for_a_sibling_whose_part_never_answers(int parts, int slots, int maxRestarts)
    {
        var blob = Blob((PartSize * (parts - 1)) + 3);

        // A: its first session is lost at the first part; its second session takes every part.
        var aParts = new CallCount();
        var (a, sessions) = LosesItsFirstSession(aParts);

        // B: its first UploadLayerPart is never answered (only its cancellation ends it).
        var (b, bHung, bCancelled) = PartNeverAnswered();

        var time = new TimerRecordingTimeProvider(DateTimeOffset.UtcNow);
        var pool = new SharedPartPool(8);
        var targetA = Target(a);
        var targetB = Target(b);

        var copy = Copier(pool, time, new RetrySettings { MaxLayerRestarts = maxRestarts }).CopyAsync(Source, blob, [targetA, targetB], new CopySlots(slots), CancellationToken.None);

        // Until both are done: with two parts and two slots the restart needs nothing of B, and A can be done before the
        // download's watch sets the period after which B falls behind. Only periods pass, never a call's timeout, so a
        // restart that waited for B's hung call would still never end.
        await PassEachPeriodUntilAsync(time, Task.WhenAll(bHung, aParts.Reached(1)), Task.WhenAll(targetA.Done, targetB.Done));

        Assert.Equal(blob.Size, await targetA.Done.WaitAsync(Bound));
        Assert.Equal(2, sessions());
        var error = await Assert.ThrowsAsync<ReplicationException>(() => targetB.Done.WaitAsync(Bound));
        Assert.Equal(ReplicationErrorCodes.DestinationFellBehind, error.ErrorCode);
        Assert.True(error.IsTransient);
        await bCancelled.WaitAsync(Bound);
        await copy.WaitAsync(Bound);
        Assert.Equal(0, pool.Alive);
        b.Verify(c => c.CompleteLayerUploadAsync(It.IsAny<CompleteLayerUploadRequest>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    /// <summary>
    /// The sibling sent all its parts, but its CompleteLayerUpload never answers (each attempt may take the ECR client's
    /// 100 s timeout, and it retries). The destination that lost its session restarts at once: its outcome is its own,
    /// not the slowest sibling's.
    /// </summary>
    [Fact]
    public async Task A_layer_restart_does_not_wait_for_a_siblings_CompleteLayerUpload_that_never_answers()
    {
        var blob = Blob(3);
        var (a, sessions) = LosesItsFirstSession();
        var (b, completing) = CompletesNever();
        using var request = new CancellationTokenSource();
        var pool = new SharedPartPool(8);
        var targetA = Target(a);
        var targetB = Target(b);

        var copy = Copier(pool).CopyAsync(Source, blob, [targetA, targetB], new CopySlots(2), request.Token);

        await completing.WaitAsync(Bound);
        Assert.Equal(blob.Size, await targetA.Done.WaitAsync(Bound));
        Assert.Equal(2, sessions());
        Assert.False(targetB.Done.IsCompleted);

        // The request's deadline ends B's call, and with it the copy.
        await request.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => targetB.Done.WaitAsync(Bound));
        await copy.WaitAsync(Bound);
        Assert.Equal(0, pool.Alive);
    }

    /// <summary>
    /// A copy slot stands for a download in flight and its parts. A sibling whose CompleteLayerUpload never answers holds
    /// neither once its parts are sent, so it must not keep the only slot from the next blob the healthy destination needs.
    /// </summary>
    [Fact]
    public async Task A_CompleteLayerUpload_that_never_answers_does_not_hold_the_copy_slot_from_the_next_blob()
    {
        var first = Blob(3);
        var second = Blob(5);
        var a = Healthy();
        var (b, completing) = CompletesNever();
        using var request = new CancellationTokenSource();
        var pool = new SharedPartPool(8);
        var copier = Copier(pool);
        var slots = new CopySlots(1);
        var firstA = Target(a);
        var firstB = Target(b);
        var secondA = Target(a);

        var copyFirst = copier.CopyAsync(Source, first, [firstA, firstB], slots, request.Token);
        await completing.WaitAsync(Bound);
        Assert.Equal(first.Size, await firstA.Done.WaitAsync(Bound));
        var copySecond = copier.CopyAsync(Source, second, [secondA], slots, request.Token);

        Assert.Equal(second.Size, await secondA.Done.WaitAsync(Bound));
        Assert.False(firstB.Done.IsCompleted);

        await request.CancelAsync();
        await Task.WhenAll(copyFirst, copySecond).WaitAsync(Bound);
        Assert.Equal(0, pool.Alive);
    }

    /// <summary>Never sends: every blob here is inline.</summary>
    private static readonly HttpClient UnusedHttp = new();

    /// <summary>
    /// The engine's pool is (PartsInFlight + 1) parts per copy slot, and a hung destination holds that many of one blob
    /// (its part on the wire, its queue). With one slot the download then waits for a part from the pool, not for the
    /// hung destination's full queue, and the healthy destination, waiting with an empty queue, must not wait with it
    /// past one <see cref="BlobCopyOptions.FallBehindTimeout"/>.
    /// </summary>
    [Fact]
    public async Task A_destination_whose_part_never_answers_falls_behind_when_its_parts_hold_the_whole_pool()
    {
        var blob = Blob((2 * PartSize) + 3);
        var aParts = new CallCount();
        var a = Healthy(aParts);
        var (b, bHung, bCancelled) = PartNeverAnswered();
        var time = new TimerRecordingTimeProvider(DateTimeOffset.UtcNow);

        // As the engine sizes it for one slot: MaxParallelLayers * (PartsInFlight + 1).
        var pool = new SharedPartPool(2);
        var copier = Copier(pool, time);
        var targetA = Target(a);
        var targetB = Target(b);

        var copy = copier.CopyAsync(Source, blob, [targetA, targetB], new CopySlots(1), CancellationToken.None);

        // A sends the two parts the pool holds; B hangs on the first.
        await PassEachPeriodUntilAsync(time, Task.WhenAll(bHung, aParts.Reached(2)), targetA.Done);

        Assert.Equal(blob.Size, await targetA.Done.WaitAsync(Bound));
        var error = await Assert.ThrowsAsync<ReplicationException>(() => targetB.Done.WaitAsync(Bound));
        Assert.Equal(ReplicationErrorCodes.DestinationFellBehind, error.ErrorCode);
        await bCancelled.WaitAsync(Bound);
        await copy.WaitAsync(Bound);
        Assert.Equal(0, pool.Alive);
    }

    /// <summary>
    /// As above, but the download waits for a part of the pool (sized as the engine sizes it for one slot), not at the
    /// sibling's full queue: the sibling's hung part and its queued one hold the whole pool. The destination that lost its
    /// session waits for the download to end to start over, so it counts as going on, and the sibling falls behind after
    /// one period there too.
    /// </summary>
    [Fact]
    public async Task A_layer_restart_does_not_wait_for_a_sibling_whose_hung_parts_hold_the_whole_pool()
    {
        var blob = Blob((2 * PartSize) + 3);
        var aParts = new CallCount();
        var (a, sessions) = LosesItsFirstSession(aParts);
        var (b, bHung, bCancelled) = PartNeverAnswered();
        var time = new TimerRecordingTimeProvider(DateTimeOffset.UtcNow);

        // As the engine sizes it for one slot: MaxParallelLayers * (PartsInFlight + 1).
        var pool = new SharedPartPool(2);
        var copier = Copier(pool, time);
        var targetA = Target(a);
        var targetB = Target(b);

        var copy = copier.CopyAsync(Source, blob, [targetA, targetB], new CopySlots(2), CancellationToken.None);

        await PassEachPeriodUntilAsync(time, Task.WhenAll(bHung, aParts.Reached(1)), Task.WhenAll(targetA.Done, targetB.Done));

        Assert.Equal(blob.Size, await targetA.Done.WaitAsync(Bound));
        Assert.Equal(2, sessions());
        var error = await Assert.ThrowsAsync<ReplicationException>(() => targetB.Done.WaitAsync(Bound));
        Assert.Equal(ReplicationErrorCodes.DestinationFellBehind, error.ErrorCode);
        await bCancelled.WaitAsync(Bound);
        await copy.WaitAsync(Bound);
        Assert.Equal(0, pool.Alive);
    }

    /// <summary>
    /// Once the last declared byte is in, the download only checks that nothing follows and verifies the digest: it
    /// rents no part for that check. A hung sibling holds the whole pool here (its last part on the wire, its queue
    /// full, the pool sized as the engine sizes it for one slot), so a part rented for it would hold the healthy
    /// destination's CompleteLayerUpload until the sibling fell behind; the healthy one publishes before any time passes.
    /// </summary>
    [Fact]
    public async Task A_download_whose_last_part_is_out_verifies_at_once_without_a_part_from_a_pool_a_hung_sibling_holds()
    {
        var blob = Blob(PartSize + 3);
        var a = Healthy();
        var (b, bHung, bCancelled) = PartNeverAnswered();
        var time = new TimerRecordingTimeProvider(DateTimeOffset.UtcNow);

        // As the engine sizes it for one slot: MaxParallelLayers * (PartsInFlight + 1).
        var pool = new SharedPartPool(2);
        var copier = Copier(pool, time);
        var targetA = Target(a);
        var targetB = Target(b);

        var copy = copier.CopyAsync(Source, blob, [targetA, targetB], new CopySlots(1), CancellationToken.None);

        // No time passes before A is done.
        Assert.Equal(blob.Size, await targetA.Done.WaitAsync(Bound));
        Assert.False(targetB.Done.IsCompleted);

        await PassEachPeriodUntilAsync(time, bHung, targetB.Done);
        var error = await Assert.ThrowsAsync<ReplicationException>(() => targetB.Done.WaitAsync(Bound));
        Assert.Equal(ReplicationErrorCodes.DestinationFellBehind, error.ErrorCode);
        await bCancelled.WaitAsync(Bound);
        await copy.WaitAsync(Bound);
        Assert.Equal(0, pool.Alive);
        Assert.Equal(2, pool.MaxAlive);
    }

    private static readonly BlobSource Source = new(new Mock<IEcrClient>(MockBehavior.Strict).Object, null, "src");

    private static BlobToCopy Blob(int size)
    {
        var data = new byte[size];
        new Random(size).NextBytes(data);
        return new BlobToCopy("sha256:" + Convert.ToHexStringLower(SHA256.HashData(data)), data.Length, data);
    }

    private static BlobCopyTarget Target(Mock<IEcrClient> client) => new(new BlobTarget(client.Object, null, "app"), progress: null);

    /// <summary>
    /// The engine's copier with one part in flight per upload (the default), falling behind after <see cref="Period"/>,
    /// on <paramref name="time"/> (a clock nobody moves when not given).
    /// </summary>
    private static BlobCopier Copier(SharedPartPool pool, TimeProvider? time = null, RetrySettings? settings = null)
    {
        settings ??= new RetrySettings();
        var options = new BlobCopyOptions { FanOutGrace = Timeout.InfiniteTimeSpan, FallBehindTimeout = Period, ReadTimeout = TimeSpan.FromHours(1) };
        return new BlobCopier(UnusedHttp, options, settings, new RetryBackoff(settings, time ?? new TimerRecordingTimeProvider(DateTimeOffset.UtcNow), static () => 0.5), pool);
    }

    /// <summary>
    /// Once <paramref name="inPlace"/> (the sibling's call that never answers has begun, and the other destination has
    /// made the calls the scenario needs of it), passes each wait of one <see cref="Period"/> as soon as it is set, until
    /// <paramref name="done"/> ends or <see cref="Bound"/> has passed on the wall clock, so a regression that waits period
    /// after period fails the test instead of hanging it. No period passes before: the clock would move while the
    /// uploads' first steps wait for a thread, and to the copy an upload that took no part in a whole period stands
    /// still, so a healthy destination starved of a thread could fall behind, or the sibling before it sent anything.
    /// After it, neither can: the sibling's hung call never keeps up, so it is the only one that can fall behind. The copy
    /// may still see periods pass with nothing done in them (an answered part, the hung call's cancellation, waiting for a
    /// thread), so the loop counts wall time, not periods; no other wait of these copies ends meanwhile (the read timeout
    /// is an hour of the engine's clock, and each read of the inline blob returns at once).
    /// </summary>
    private static async Task PassEachPeriodUntilAsync(TimerRecordingTimeProvider time, Task inPlace, Task done)
    {
        await inPlace.WaitAsync(Bound);
        var waited = Stopwatch.StartNew();
        var waits = 0;
        while (!done.IsCompleted && waited.Elapsed < Bound)
        {
            var nth = waits + 1;
            var seen = 0;
            var set = time.TimerAsync(due => due == Period && ++seen == nth);
            if (await Task.WhenAny(done, set).WaitAsync(Bound) == set)
            {
                waits++;
                time.Advance(Period);
            }
        }
    }

    /// <summary>
    /// A destination whose first UploadLayerPart is never answered: <c>Hung</c> ends once that call has begun,
    /// <c>Cancelled</c> once it is cancelled.
    /// </summary>
    private static (Mock<IEcrClient> Client, Task Hung, Task Cancelled) PartNeverAnswered()
    {
        var hung = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var client = new Mock<IEcrClient>(MockBehavior.Strict);
        client.Setup(c => c.InitiateLayerUploadAsync(It.IsAny<InitiateLayerUploadRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new InitiateLayerUploadResponse { UploadId = "b-1", PartSize = PartSize });
        client.Setup(c => c.UploadLayerPartAsync(It.IsAny<UploadLayerPartRequest>(), It.IsAny<CancellationToken>()))
            .Returns<UploadLayerPartRequest, CancellationToken>(async (_, token) =>
            {
                hung.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, token);
                }
                finally
                {
                    cancelled.TrySetResult();
                }

                return new UploadLayerPartResponse();
            });
        return (client, hung.Task, cancelled.Task);
    }

    private static Mock<IEcrClient> Healthy(CallCount? parts = null)
    {
        var sessions = 0;
        var client = new Mock<IEcrClient>(MockBehavior.Strict);
        client.Setup(c => c.InitiateLayerUploadAsync(It.IsAny<InitiateLayerUploadRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(() => new InitiateLayerUploadResponse { UploadId = $"u-{Interlocked.Increment(ref sessions)}", PartSize = PartSize });
        client.Setup(c => c.UploadLayerPartAsync(It.IsAny<UploadLayerPartRequest>(), It.IsAny<CancellationToken>()))
            .Callback(() => parts?.Add())
            .ReturnsAsync(new UploadLayerPartResponse());
        client.Setup(c => c.CompleteLayerUploadAsync(It.IsAny<CompleteLayerUploadRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new CompleteLayerUploadResponse());
        return client;
    }

    /// <summary>A destination whose first upload session is lost at its first part; its later sessions take every part.</summary>
    private static (Mock<IEcrClient> Client, Func<int> Sessions) LosesItsFirstSession(CallCount? parts = null)
    {
        var sessions = 0;
        var client = new Mock<IEcrClient>(MockBehavior.Strict);
        client.Setup(c => c.InitiateLayerUploadAsync(It.IsAny<InitiateLayerUploadRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(() => new InitiateLayerUploadResponse { UploadId = $"a-{Interlocked.Increment(ref sessions)}", PartSize = PartSize });
        client.Setup(c => c.UploadLayerPartAsync(It.IsAny<UploadLayerPartRequest>(), It.IsAny<CancellationToken>()))
            .Callback(() => parts?.Add())
            .Returns<UploadLayerPartRequest, CancellationToken>((request, _) => request.UploadId == "a-1"
                ? Task.FromException<UploadLayerPartResponse>(new EcrException(EcrErrorCodes.UploadNotFoundException, "no such upload"))
                : Task.FromResult(new UploadLayerPartResponse()));
        client.Setup(c => c.CompleteLayerUploadAsync(It.Is<CompleteLayerUploadRequest>(r => r.UploadId != "a-1"), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new CompleteLayerUploadResponse());
        return (client, () => Volatile.Read(ref sessions));
    }

    /// <summary>A destination that takes every part, and whose CompleteLayerUpload only the request's cancellation ends.</summary>
    private static (Mock<IEcrClient> Client, Task Completing) CompletesNever()
    {
        var completing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var client = new Mock<IEcrClient>(MockBehavior.Strict);
        client.Setup(c => c.InitiateLayerUploadAsync(It.IsAny<InitiateLayerUploadRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new InitiateLayerUploadResponse { UploadId = "b-1", PartSize = PartSize });
        client.Setup(c => c.UploadLayerPartAsync(It.IsAny<UploadLayerPartRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new UploadLayerPartResponse());
        client.Setup(c => c.CompleteLayerUploadAsync(It.IsAny<CompleteLayerUploadRequest>(), It.IsAny<CancellationToken>()))
            .Returns<CompleteLayerUploadRequest, CancellationToken>(async (_, token) =>
            {
                completing.TrySetResult();
                await Task.Delay(Timeout.Infinite, token);
                return new CompleteLayerUploadResponse();
            });
        return (client, completing.Task);
    }

    /// <summary>Counts a mock's calls, and tells when a number of them has been made.</summary>
    private sealed class CallCount
    {
        private readonly List<(int Calls, TaskCompletionSource Made)> _waiting = [];
        private int _calls;

        public void Add()
        {
            List<TaskCompletionSource> made;
            lock (_waiting)
            {
                _calls++;
                made = [.. _waiting.Where(w => w.Calls <= _calls).Select(w => w.Made)];
                _waiting.RemoveAll(w => w.Calls <= _calls);
            }

            made.ForEach(m => m.TrySetResult());
        }

        /// <summary>Ends once <paramref name="calls"/> calls have been made.</summary>
        public Task Reached(int calls)
        {
            lock (_waiting)
            {
                if (_calls >= calls)
                {
                    return Task.CompletedTask;
                }

                var made = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiting.Add((calls, made));
                return made.Task;
            }
        }
    }
}
