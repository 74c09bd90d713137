using Replicator.Core.Ecr;
using Replicator.Core.Errors;

namespace Replicator.Core.Copy;

/// <summary>
/// How each upload of a blob ends (<see cref="BlobCopier"/>): its target succeeds, fails, or gets a fresh attempt (a new
/// upload session and a new download) when a restart can help and the retry budget's layer restarts
/// (<see cref="Resilience.RetrySettings.MaxLayerRestarts"/>) are not spent. The one place that decides a restart.
/// </summary>
internal sealed class UploadSettlement(int maxLayerRestarts)
{
    // Settle marks a restart in two fields (LayerRestarted, then Restarts), and WaitsForRestart reads both from the
    // download's thread. Read between the two writes, the upload looked neither restarted nor restartable (its last
    // restart counted), so the download took it for failed for good and waited on a hung sibling's call with no
    // fall-behind period: the restart then waited for that call's timeout. The lock makes the pair one step.
    private readonly Lock _restarts = new();

    /// <summary>
    /// Whether a failed upload will start the layer over (<see cref="Settle"/>) once its download has ended: the download
    /// (<see cref="BlobCopier"/>) does not let a sibling that stands still hold it past
    /// <see cref="BlobCopyOptions.FallBehindTimeout"/> (<see cref="PartHandOut"/>).
    /// </summary>
    public bool WaitsForRestart(PartUpload upload)
    {
        lock (_restarts)
        {
            return upload.LayerRestarted || (upload.Error is { } error && IsRestartable(error) && upload.Target.Restarts < maxLayerRestarts);
        }
    }

    /// <summary>
    /// Ends each upload's target with its outcome, or returns it for a fresh attempt when a restart can help. An upload
    /// settled already (on its own, as soon as it failed: <see cref="BlobCopier"/>'s finish) is skipped, so it never restarts twice.
    /// </summary>
    public List<BlobCopyTarget> Settle(IEnumerable<PartUpload> uploads, CancellationToken cancellationToken)
    {
        var restarts = new List<BlobCopyTarget>();
        foreach (var upload in uploads)
        {
            if (!upload.TrySettle())
            {
                continue;
            }

            var target = upload.Target;
            if (!upload.Failed)
            {
                target.Succeed(upload.Uploaded);
            }
            else if (IsRestartable(upload.Error!) && target.Restarts < maxLayerRestarts && !cancellationToken.IsCancellationRequested)
            {
                // A fresh upload session and a fresh download; the destination keeps nothing of the failed attempt. Marked
                // first: the restart, begun while a sibling still holds the slot (its last parts unsent), may need that slot.
                lock (_restarts)
                {
                    upload.LayerRestarted = true;
                    target.Restarts++;
                }

                target.RestartCause = upload.Error;
                restarts.Add(target);
            }
            else if (IsRestartable(upload.Error!) && target.Restarts < maxLayerRestarts)
            {
                // Not restarted only because the request was cancelled: that is the outcome (as PartUpload.CompleteAsync
                // reports a lost session met while cancelled), so a request that joined this copy takes it over.
                target.Fail(new OperationCanceledException("the request was cancelled before the layer could be restarted", upload.Error, cancellationToken));
            }
            else if (upload.Error is OperationCanceledException { InnerException: null } && cancellationToken.IsCancellationRequested && target.RestartCause is { } cause)
            {
                // A restart begun before the request was cancelled (a failed upload settles at once, while a sibling may
                // still hold the slot the restart waits for) ends cancelled too: said with the error that made it
                // necessary, as a restart not begun says it (above), whichever of the two the cancellation met.
                target.Fail(new OperationCanceledException("the request was cancelled while the layer was restarted", cause, cancellationToken));
            }
            else
            {
                target.Fail(upload.Error!);
            }
        }

        return restarts;
    }

    /// <summary>
    /// Only what a new upload session can fix restarts a layer. A transient error that outlived its call's
    /// retries fails the destination: restarting would multiply the budget (go-containerregistry's
    /// <c>remote/write.go</c> retries one attempt whole, with retries off inside it, for the same reason).
    /// CompleteLayerUpload's <c>InvalidLayerException</c> ("The layer digest calculation performed by Amazon ECR upon
    /// receipt of the image layer does not match the digest specified", botocore's ECR model) is one: it comes only
    /// after the shared download verified the blob's digest, so what the session holds is not what was downloaded.
    /// </summary>
    private static bool IsRestartable(Exception ex) => ex switch
    {
        EcrException e => e.ErrorCode is EcrErrorCodes.UploadNotFoundException or EcrErrorCodes.InvalidLayerException,
        ReplicationException r => r.ErrorCode is EcrErrorCodes.InvalidLayerPartException
            or ReplicationErrorCodes.DigestMismatch
            or ReplicationErrorCodes.SizeMismatch && r.IsTransient,
        _ => false,
    };
}
