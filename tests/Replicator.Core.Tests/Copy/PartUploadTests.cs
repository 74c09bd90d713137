using Moq;
using Replicator.Core.Copy;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;

namespace Replicator.Core.Tests.Copy;

public sealed class PartUploadTests
{
    /// <summary>Bounds a wait that must end, so a regression fails the test instead of hanging it; never a timing.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_part_handed_out_just_as_the_token_fires_goes_back_to_the_pool()
    {
        var pool = new SharedPartPool(1);
        // The upload never reaches ECR here: it is cancelled before any part arrives.
        var target = new BlobCopyTarget(new BlobTarget(null!, null, "app"), progress: null);
        var upload = new PartUpload(target, new BlobToCopy("sha256:" + new string('a', 64), 3), partsInFlight: 1);
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        // The token has fired, so the upload stops reading before it returns its task (no thread to race with). The
        // download checked the token just before it fired: it still writes its part, then completes the queue.
        var sender = upload.UploadPartsAsync(cancel.Token);
        var part = await pool.RentAsync(5 * 1024 * 1024, 0, CancellationToken.None);
        part.Append([1, 2, 3], final: true);
        part.Seal();
        Assert.True(upload.Parts.Writer.TryWrite(part));
        upload.Parts.Writer.TryComplete(new OperationCanceledException(cancel.Token));
        await sender;

        Assert.True(upload.Failed);
        Assert.Equal(0, pool.Alive);
    }

    [Fact]
    public async Task A_lost_session_asked_about_as_the_request_is_cancelled_fails_as_cancelled_not_as_UploadNotFound()
    {
        // The CompleteLayerUpload retry finds the session closed, and the question whether the layer landed is cut by
        // the request's cancellation: a joined request must see a cancellation (it then copies under its own token).
        using var cancel = new CancellationTokenSource();
        var client = LostSessionClient();
        client.Setup(c => c.BatchCheckLayerAvailabilityAsync(It.IsAny<BatchCheckLayerAvailabilityRequest>(), It.IsAny<CancellationToken>()))
            .Returns<BatchCheckLayerAvailabilityRequest, CancellationToken>(async (_, token) =>
            {
                await cancel.CancelAsync();
                token.ThrowIfCancellationRequested();
                return new BatchCheckLayerAvailabilityResponse();
            });
        var upload = new PartUpload(new BlobCopyTarget(new BlobTarget(client.Object, null, "app"), progress: null), new BlobToCopy("sha256:" + new string('a', 64), 3), partsInFlight: 1);
        await upload.InitiateAsync(CancellationToken.None);

        await upload.CompleteAsync(cancel.Token);

        Assert.True(upload.Failed);
        var error = Assert.IsType<OperationCanceledException>(upload.Error);
        Assert.Equal(cancel.Token, error.CancellationToken);
        Assert.Equal(EcrErrorCodes.UploadNotFoundException, Assert.IsType<EcrException>(error.InnerException).ErrorCode);
    }

    [Fact]
    public async Task A_lost_session_whose_layer_the_destination_does_not_hold_fails_with_UploadNotFound()
    {
        var client = LostSessionClient();
        client.Setup(c => c.BatchCheckLayerAvailabilityAsync(It.IsAny<BatchCheckLayerAvailabilityRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new BatchCheckLayerAvailabilityResponse());
        var upload = new PartUpload(new BlobCopyTarget(new BlobTarget(client.Object, null, "app"), progress: null), new BlobToCopy("sha256:" + new string('a', 64), 3), partsInFlight: 1);
        await upload.InitiateAsync(CancellationToken.None);

        await upload.CompleteAsync(CancellationToken.None);

        Assert.Equal(EcrErrorCodes.UploadNotFoundException, Assert.IsType<EcrException>(upload.Error).ErrorCode);
    }

    /// <summary>
    /// A CompleteLayerUpload retry that finds no session asks BatchCheckLayerAvailability whether the first try landed.
    /// Only AVAILABLE under this digest says it did: a layer ECR lists as UNAVAILABLE or ARCHIVED (botocore's ECR model,
    /// LayerAvailability) cannot be pulled, and counting it as copied would report the destination replicated over a layer
    /// nobody can pull. The upload then fails with the UploadNotFound that restarts the layer.
    /// </summary>
    [Theory]
    [InlineData(LayerAvailability.Available, true)]
    [InlineData(LayerAvailability.Unavailable, false)]
    [InlineData(LayerAvailability.Archived, false)]
    public async Task A_lost_session_counts_as_landed_only_when_the_layer_is_available(string availability, bool held)
    {
        var digest = "sha256:" + new string('a', 64);
        var client = LostSessionClient();
        client.Setup(c => c.BatchCheckLayerAvailabilityAsync(It.IsAny<BatchCheckLayerAvailabilityRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new BatchCheckLayerAvailabilityResponse { Layers = [new Layer { LayerDigest = digest, LayerAvailability = availability }] });
        var upload = new PartUpload(new BlobCopyTarget(new BlobTarget(client.Object, null, "app"), progress: null), new BlobToCopy(digest, 3), partsInFlight: 1);
        await upload.InitiateAsync(CancellationToken.None);

        Assert.Equal(held, await upload.CompleteAsync(CancellationToken.None));
        Assert.Equal(held ? null : EcrErrorCodes.UploadNotFoundException, (upload.Error as EcrException)?.ErrorCode);
    }

    /// <summary>
    /// InvalidLayerPartException's lastValidByteReceived after a part: at its end or past it, the part landed (a retry
    /// of a part whose first answer was lost) and the upload goes on; anywhere before, the layer starts over, and the
    /// rest of the part is never sent as a part of its own (under ECR's 5 MiB minimum, one part over the plan).
    /// </summary>
    [Theory]
    [InlineData(2L, false)] // the whole part (bytes 0..2) landed
    [InlineData(1L, true)] // ECR holds two of its three bytes
    [InlineData(-1L, true)] // ECR holds none of it
    [InlineData(null, true)] // ECR does not say (the member is optional in the model)
    public async Task A_part_ECR_holds_whole_goes_on_and_one_it_holds_in_part_or_not_at_all_restarts_the_layer(long? lastValid, bool restarts)
    {
        var client = new Mock<IEcrClient>(MockBehavior.Strict);
        client.Setup(c => c.InitiateLayerUploadAsync(It.IsAny<InitiateLayerUploadRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new InitiateLayerUploadResponse { UploadId = "u-1", PartSize = 5 * 1024 * 1024 });
        client.Setup(c => c.UploadLayerPartAsync(It.IsAny<UploadLayerPartRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new EcrException(EcrErrorCodes.InvalidLayerPartException, "not where the part starts", lastValidByteReceived: lastValid));
        var pool = new SharedPartPool(1);
        var upload = new PartUpload(new BlobCopyTarget(new BlobTarget(client.Object, null, "app"), progress: null), new BlobToCopy("sha256:" + new string('a', 64), 3), partsInFlight: 1);
        await upload.InitiateAsync(CancellationToken.None);
        var part = await pool.RentAsync(upload.PartSize, 0, CancellationToken.None);
        part.Append([1, 2, 3], final: true);
        part.Seal();

        var sender = upload.UploadPartsAsync(CancellationToken.None);
        Assert.True(upload.Parts.Writer.TryWrite(part));
        upload.Parts.Writer.Complete();
        await sender;

        client.Verify(c => c.UploadLayerPartAsync(It.Is<UploadLayerPartRequest>(r => r.PartFirstByte == 0 && r.PartLastByte == 2), It.IsAny<CancellationToken>()), Times.Once);
        Assert.Equal(restarts, upload.Failed);
        if (restarts)
        {
            var error = Assert.IsType<ReplicationException>(upload.Error);
            Assert.Equal(EcrErrorCodes.InvalidLayerPartException, error.ErrorCode);
            Assert.True(error.IsTransient);
        }
        else
        {
            Assert.Equal(3, upload.Uploaded);
        }

        Assert.Equal(0, pool.Alive);
    }

    /// <summary>
    /// Abandoning an upload gives back the parts queued behind its call at once, whenever that call ends (here it ends
    /// only when answered, whatever its token says): the download that abandoned it may be waiting for a part of the
    /// engine's pool (PartHandOut.RentAsync), which those queued parts are.
    /// </summary>
    [Fact]
    public async Task Abandoning_an_upload_gives_its_queued_parts_back_at_once_while_its_call_is_still_on_the_wire()
    {
        var calling = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answer = new TaskCompletionSource<UploadLayerPartResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        var client = SessionClient();
        client.Setup(c => c.UploadLayerPartAsync(It.IsAny<UploadLayerPartRequest>(), It.IsAny<CancellationToken>()))
            .Returns<UploadLayerPartRequest, CancellationToken>((_, _) =>
            {
                calling.TrySetResult();
                return answer.Task;
            });
        var pool = new SharedPartPool(3);
        var upload = await InitiatedAsync(client, partsInFlight: 2);
        var sender = upload.UploadPartsAsync(CancellationToken.None);
        Assert.True(upload.Parts.Writer.TryWrite(await TestParts.SealedAsync(pool, 0)));
        await calling.Task.WaitAsync(Bound);
        Assert.True(upload.Parts.Writer.TryWrite(await TestParts.SealedAsync(pool, 3)));
        Assert.True(upload.Parts.Writer.TryWrite(await TestParts.SealedAsync(pool, 6)));

        upload.Abandon(new ReplicationException(ReplicationErrorCodes.DestinationFellBehind, "stood still", isTransient: true));

        // Only the part on the wire is still held: its call's body may still be being read.
        Assert.Equal(1, pool.Alive);
        answer.SetResult(new UploadLayerPartResponse());
        upload.Parts.Writer.Complete();
        await sender.WaitAsync(Bound);
        Assert.Equal(0, pool.Alive);
    }

    /// <summary>
    /// Once a part fails (here ECR refuses it for good), the parts queued behind it are given back unsent: the session
    /// cannot be completed, so each further UploadLayerPart would be a call, and its retries, for nothing.
    /// </summary>
    [Fact]
    public async Task Parts_queued_behind_a_failed_part_are_given_back_unsent()
    {
        var refusal = new EcrException(EcrErrorCodes.LayerPartTooSmallException, "part too small");
        var client = SessionClient();
        client.Setup(c => c.UploadLayerPartAsync(It.IsAny<UploadLayerPartRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(refusal);
        var pool = new SharedPartPool(2);
        var upload = await InitiatedAsync(client, partsInFlight: 2);

        // Both parts are queued before the upload reads: the second is there when the first fails.
        Assert.True(upload.Parts.Writer.TryWrite(await TestParts.SealedAsync(pool, 0)));
        Assert.True(upload.Parts.Writer.TryWrite(await TestParts.SealedAsync(pool, 3)));
        upload.Parts.Writer.Complete();
        await upload.UploadPartsAsync(CancellationToken.None).WaitAsync(Bound);

        client.Verify(c => c.UploadLayerPartAsync(It.IsAny<UploadLayerPartRequest>(), It.IsAny<CancellationToken>()), Times.Once);
        Assert.Same(refusal, upload.Error);
        Assert.Equal(0, upload.Uploaded);
        Assert.Equal(0, pool.Alive);
    }

    /// <summary>A destination whose upload session is gone by CompleteLayerUpload (UploadNotFound); each test says what BatchCheckLayerAvailability answers.</summary>
    private static Mock<IEcrClient> LostSessionClient()
    {
        var client = new Mock<IEcrClient>(MockBehavior.Strict);
        client.Setup(c => c.InitiateLayerUploadAsync(It.IsAny<InitiateLayerUploadRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new InitiateLayerUploadResponse { UploadId = "u-1", PartSize = 5 * 1024 * 1024 });
        client.Setup(c => c.CompleteLayerUploadAsync(It.IsAny<CompleteLayerUploadRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new EcrException(EcrErrorCodes.UploadNotFoundException, "no such upload"));
        return client;
    }

    /// <summary>A destination whose InitiateLayerUpload opens session u-1 with 5 MiB parts; each test sets up the rest.</summary>
    private static Mock<IEcrClient> SessionClient()
    {
        var client = new Mock<IEcrClient>(MockBehavior.Strict);
        client.Setup(c => c.InitiateLayerUploadAsync(It.IsAny<InitiateLayerUploadRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new InitiateLayerUploadResponse { UploadId = "u-1", PartSize = 5 * 1024 * 1024 });
        return client;
    }

    /// <summary>An upload of a 9-byte blob to <paramref name="client"/>, its session open.</summary>
    private static async Task<PartUpload> InitiatedAsync(Mock<IEcrClient> client, int partsInFlight)
    {
        var upload = new PartUpload(new BlobCopyTarget(new BlobTarget(client.Object, null, "app"), progress: null), new BlobToCopy("sha256:" + new string('a', 64), 9), partsInFlight);
        await upload.InitiateAsync(CancellationToken.None);
        return upload;
    }
}
