using Microsoft.Extensions.Time.Testing;
using Moq;
using Replicator.Core.Copy;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Resilience;

namespace Replicator.Core.Tests.Copy;

/// <summary>When the fan-out's shared copies start, on its own clock, with a mocked destination and no ECR.</summary>
public sealed class BlobFanOutTests : IDisposable
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);
    private readonly FakeTimeProvider _time = new();
    private readonly HttpClient _http = new();
    private readonly Mock<IEcrClient> _destination = new(MockBehavior.Strict);
    private readonly TaskCompletionSource _initiated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly BlobFanOut _fanOut;

    public BlobFanOutTests()
    {
        // The copy's first call is the destination's InitiateLayerUpload: seeing it is seeing the copy start, and its
        // failure ends the copy there.
        _destination
            .Setup(c => c.InitiateLayerUploadAsync(It.IsAny<InitiateLayerUploadRequest>(), It.IsAny<CancellationToken>()))
            .Returns(() =>
            {
                _initiated.TrySetResult();
                return Task.FromException<InitiateLayerUploadResponse>(new InvalidOperationException("the test ends the copy here"));
            });
        var settings = new RetrySettings();
        var copier = new BlobCopier(_http, new BlobCopyOptions(), settings, new RetryBackoff(settings, _time, static () => 0), new SharedPartPool(4));
        var source = new BlobSource(new Mock<IEcrClient>(MockBehavior.Strict).Object, null, "app");
        _fanOut = new BlobFanOut(source, copier, new CopySlots(1), destinations: 2, _time, Grace, CancellationToken.None);
    }

    public void Dispose() => _http.Dispose();

    private Task<long> AddBlob(char fill) =>
        _fanOut.Add(new BlobTarget(_destination.Object, null, "app"), new BlobToCopy("sha256:" + new string(fill, 64), 10), progress: null);

    private void VerifyCopiesStarted(int times) =>
        _destination.Verify(c => c.InitiateLayerUploadAsync(It.IsAny<InitiateLayerUploadRequest>(), It.IsAny<CancellationToken>()), Times.Exactly(times));

    /// <summary>
    /// A destination whose blobs all joined another request's copies arrives with nothing of its own; when one of those
    /// copies is cancelled, the blob comes back to this fan-out after the arrival. The grace must start then: the other
    /// destination, still reading its state, must not hold the blob back.
    /// </summary>
    [Fact]
    public async Task A_blob_registered_after_its_destination_arrived_starts_after_the_grace_not_at_the_last_arrival()
    {
        _fanOut.Arrive();
        var done = AddBlob('a');

        _time.Advance(Grace - TimeSpan.FromMilliseconds(1));
        Assert.False(_initiated.Task.IsCompleted, "started before the grace ended");
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await _initiated.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Assert.ThrowsAsync<InvalidOperationException>(() => done);

        // The other destination arrives at last: nothing is left to start.
        _fanOut.Arrive();
        VerifyCopiesStarted(1);
    }

    [Fact]
    public async Task A_blob_registered_before_any_arrival_waits_for_an_arrival_to_start_the_grace()
    {
        // Registered by a destination still on its way: the grace runs from an arrival with something to copy.
        var done = AddBlob('b');
        _time.Advance(Grace * 10);
        VerifyCopiesStarted(0);

        _fanOut.Arrive();
        _fanOut.Arrive();
        await Assert.ThrowsAsync<InvalidOperationException>(() => done);
        VerifyCopiesStarted(1);
    }

    /// <summary>
    /// Each destination arrives once: an arrival more than the request has destinations is a bug in the caller's count,
    /// which could as well have started the copies before a destination registered its blobs. It is refused, not counted.
    /// </summary>
    [Fact]
    public async Task An_arrival_more_than_the_request_has_destinations_is_refused_and_starts_nothing_again()
    {
        var done = AddBlob('c');
        _fanOut.Arrive();
        _fanOut.Arrive();
        await Assert.ThrowsAsync<InvalidOperationException>(() => done);

        var error = Assert.Throws<InvalidOperationException>(_fanOut.Arrive);
        Assert.Contains("more destinations arrived", error.Message, StringComparison.Ordinal);
        VerifyCopiesStarted(1);
    }
}
