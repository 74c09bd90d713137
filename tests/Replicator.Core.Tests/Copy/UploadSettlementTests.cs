using Moq;
using Replicator.Core.Copy;
using Replicator.Core.Ecr;

namespace Replicator.Core.Tests.Copy;

/// <summary>
/// The one place that decides a layer restart (<see cref="UploadSettlement"/>), asked directly: the copier's tests reach
/// it only through timing-dependent paths (a sibling that falls behind while another waits to restart).
/// </summary>
public sealed class UploadSettlementTests
{
    private static readonly BlobToCopy Blob = new("sha256:" + new string('a', 64), 10, null);

    /// <summary>
    /// A failed upload whose destination has spent its layer restarts will not start over: it must not count as waiting
    /// for a restart, or PartHandOut would let a sibling that is only slow fall behind (a transient failure of a healthy
    /// destination) for a restart that never comes. Below the budget, the same failure does wait.
    /// </summary>
    [Theory]
    [InlineData(0, 0, false)]
    [InlineData(2, 2, false)]
    [InlineData(2, 1, true)]
    public void A_lost_session_waits_for_a_restart_only_while_restarts_are_left(int maxRestarts, int restartsSpent, bool waits)
    {
        var upload = FailedUpload(new EcrException(EcrErrorCodes.UploadNotFoundException, "no such upload"), restartsSpent);

        Assert.Equal(waits, new UploadSettlement(maxRestarts).WaitsForRestart(upload));
    }

    /// <summary>
    /// A lost session met once the request is cancelled is not restarted: a fresh session and download could only end
    /// cancelled, after costing an InitiateLayerUpload (a free copy slot is taken without looking at the token). The
    /// outcome is the cancellation, naming the lost session, so a request that joined this copy takes it over.
    /// </summary>
    [Fact]
    public async Task A_lost_session_settled_after_the_request_was_cancelled_is_not_restarted_and_ends_cancelled()
    {
        var lost = new EcrException(EcrErrorCodes.UploadNotFoundException, "no such upload");
        var upload = FailedUpload(lost, restartsSpent: 0);
        using var request = new CancellationTokenSource();
        await request.CancelAsync();

        Assert.Empty(new UploadSettlement(maxLayerRestarts: 2).Settle([upload], request.Token));

        Assert.Equal(0, upload.Target.Restarts);
        var outcome = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => upload.Target.Done);
        Assert.Same(lost, outcome.InnerException);
    }

    private static PartUpload FailedUpload(Exception error, int restartsSpent)
    {
        var target = new BlobCopyTarget(new BlobTarget(new Mock<IEcrClient>(MockBehavior.Strict).Object, null, "app"), progress: null) { Restarts = restartsSpent };
        var upload = new PartUpload(target, Blob, partsInFlight: 2);
        upload.Fail(error);
        return upload;
    }
}
