using System.Globalization;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;

namespace Replicator.Core.Replication;

/// <summary>
/// Waits, before an image's referrers are listed, for the signatures ECR's managed signing is still making of it.
/// Managed signing signs an image after its push, with AWS Signer, and stores the signature in the repository as a
/// referrer of the image (https://docs.aws.amazon.com/AmazonECR/latest/userguide/managed-signing.html). The push event
/// can reach the replicator while the signature is still being made (DescribeImageSigningStatus: IN_PROGRESS), and a
/// copy made then lists no signature: every destination would hold the image unsigned, which a deployment that verifies
/// signatures refuses, until the signature's own push event or the reconciler brought it.
/// </summary>
/// <remarks>
/// One DescribeImageSigningStatus call per image when nothing is being signed (an image no signing rule matched has no
/// status: "a status is returned for each profile" whose rule matched, botocore's ECR model). While a profile is still
/// IN_PROGRESS the status is asked again after 1, 2, 4, then every 5 seconds, on the engine's clock, until
/// <see cref="ReplicatorOptions.SignatureWait"/> has passed. A status that cannot be read (a role without
/// ecr:DescribeImageSigningStatus, a partition without managed signing) does not hold the copy back: the image is
/// copied as it would be without the wait, with a note saying why a signature may follow later.
/// </remarks>
internal sealed class SourceSignatureWait(TimeSpan limit, TimeProvider time)
{
    /// <summary>The longest pause between two reads of the status.</summary>
    public static readonly TimeSpan MaxPoll = TimeSpan.FromSeconds(5);

    /// <summary>Whether the wait is on at all (a zero limit asks nothing).</summary>
    public bool Enabled => limit > TimeSpan.Zero;

    /// <summary>
    /// Reads the image's signing status until no profile is IN_PROGRESS or the limit has passed. Service errors are
    /// the result's note, never thrown; cancellation is thrown.
    /// </summary>
    public async Task<SignatureWaitResult> WaitAsync(IEcrClient client, ImageReference source, string digest, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var request = new DescribeImageSigningStatusRequest
        {
            RegistryId = source.RegistryId,
            RepositoryName = source.RepositoryName,
            ImageId = new ImageIdentifier { ImageDigest = digest },
        };
        for (var poll = 0; ; poll++)
        {
            List<ImageSigningStatus> statuses;
            try
            {
                statuses = (await client.DescribeImageSigningStatusAsync(request, cancellationToken)).SigningStatuses ?? [];
            }
            catch (EcrException e) when (e.ErrorCode is EcrErrorCodes.ImageNotFoundException or EcrErrorCodes.RepositoryNotFoundException)
            {
                // Deleted since it was read: the copy finds that out itself, and decides it as a stale event.
                return new SignatureWaitResult(poll > 0, null);
            }
            catch (EcrException e)
            {
                return new SignatureWaitResult(poll > 0,
                    $"the source's managed signing status could not be read (DescribeImageSigningStatus: {e.ErrorCode}), so a signature ECR may still be making is left to its own push event and the reconciler");
            }

            var pending = InProgress(statuses);
            if (pending.Count == 0)
            {
                return new SignatureWaitResult(poll > 0, null);
            }

            var remaining = limit - time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                return new SignatureWaitResult(poll > 0, string.Create(
                    CultureInfo.InvariantCulture,
                    $"ECR's managed signing of the source image was still in progress after {limit.TotalSeconds:0.#} s (signing profile {string.Join(", ", pending)}), so its signature is left to its own push event and the reconciler"));
            }

            await Task.Delay(Min(Pause(poll), remaining), time, cancellationToken);
        }
    }

    /// <summary>The pause after the read numbered <paramref name="poll"/> (0 first): 1, 2, 4, then 5 seconds.</summary>
    internal static TimeSpan Pause(int poll) => Min(TimeSpan.FromSeconds(1 << Math.Min(poll, 3)), MaxPoll);

    /// <summary>The profiles still signing, in order, each once (a profile without an ARN is named as such).</summary>
    internal static IReadOnlyList<string> InProgress(IEnumerable<ImageSigningStatus> statuses) =>
        [.. statuses.Where(s => s.Status == SigningStatus.InProgress).Select(s => s.SigningProfileArn ?? "(unnamed)").Distinct(StringComparer.Ordinal)];

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}

/// <summary>What <see cref="SourceSignatureWait"/> found.</summary>
/// <param name="Waited">True when a signature was being made at the first read, so the referrers are listed again.</param>
/// <param name="Note">Why a signature may still be missing from the copy; null when none can be.</param>
internal sealed record SignatureWaitResult(bool Waited, string? Note);
