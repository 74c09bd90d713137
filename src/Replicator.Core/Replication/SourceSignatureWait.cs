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
/// One DescribeImageSigningStatus call per manifest when nothing is being signed (an image no signing rule matched has no
/// status: "a status is returned for each profile" whose rule matched, botocore's ECR model): the image, and for an
/// index each manifest it lists, since each arrives with its own PutImage and whether ECR signs those too is not
/// documented (docs/fidelity.md, known unknowns). While a profile is still IN_PROGRESS the status of the manifests still
/// signing is asked again after 1, 2, 4, then every 5 seconds, on the engine's clock, until
/// <see cref="ReplicatorOptions.SignatureWait"/> has passed; a read still running <see cref="MaxPoll"/> after that is
/// cancelled, so the whole wait ends within the limit and 5 s, whatever the retries of a throttled or hung read. A
/// status that cannot be read (a role without ecr:DescribeImageSigningStatus, a partition without managed signing) does
/// not hold the copy back, and neither does a signing that FAILED (it makes no signature to wait for): the image is
/// copied as it would be without the wait, with a note saying why a signature is missing or may follow later.
/// </remarks>
internal sealed class SourceSignatureWait(TimeSpan limit, TimeProvider time)
{
    /// <summary>The longest pause between two reads of the status, and the most a read may run past the limit.</summary>
    public static readonly TimeSpan MaxPoll = TimeSpan.FromSeconds(5);

    /// <summary>Whether the wait is on at all (a zero limit asks nothing).</summary>
    public bool Enabled => limit > TimeSpan.Zero;

    /// <summary>
    /// Reads the signing status of each of <paramref name="digests"/> until no profile is IN_PROGRESS for any of them or
    /// the limit has passed; returns why a signature may be missing from the copy, or null when none can be. Service
    /// errors are the note, never thrown; the caller's cancellation is thrown.
    /// </summary>
    public async Task<string?> WaitAsync(IEcrClient client, ImageReference source, IReadOnlyList<string> digests, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        using var bound = new CancellationTokenSource(limit + MaxPoll, time);
        using var reads = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, bound.Token);
        var signing = digests.Distinct(StringComparer.Ordinal).ToList();
        var failed = new List<string>();
        for (var poll = 0; ; poll++)
        {
            var pending = new List<string>();
            var stillSigning = new List<string>();
            foreach (var digest in signing)
            {
                List<ImageSigningStatus> statuses;
                try
                {
                    statuses = await ReadAsync(client, source, digest, reads.Token);
                }
                catch (EcrException e) when (e.ErrorCode is EcrErrorCodes.ImageNotFoundException or EcrErrorCodes.RepositoryNotFoundException)
                {
                    // Deleted since it was read: the copy finds that out itself, and decides it as a stale event.
                    continue;
                }
                catch (EcrException e)
                {
                    return Notes(failed, $"the source's managed signing status could not be read (DescribeImageSigningStatus: {e.ErrorCode}), so a signature ECR may still be making is left to its own push event and the reconciler");
                }
                catch (OperationCanceledException) when (bound.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    return Notes(failed, string.Create(
                        CultureInfo.InvariantCulture,
                        $"the source's managed signing status could not be read within {(limit + MaxPoll).TotalSeconds:0.#} s (DescribeImageSigningStatus), so a signature ECR may still be making is left to its own push event and the reconciler"));
                }

                failed.AddRange(Failed(statuses));
                var profiles = InProgress(statuses);
                if (profiles.Count > 0)
                {
                    stillSigning.Add(digest);
                    pending.AddRange(profiles.Where(p => !pending.Contains(p, StringComparer.Ordinal)));
                }
            }

            if (pending.Count == 0)
            {
                return Notes(failed, null);
            }

            var remaining = limit - time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                return Notes(failed, string.Create(
                    CultureInfo.InvariantCulture,
                    $"ECR's managed signing of the source image was still in progress after {limit.TotalSeconds:0.#} s (signing profile {string.Join(", ", pending)}), so its signature is left to its own push event and the reconciler"));
            }

            signing = stillSigning;
            await Task.Delay(Min(Pause(poll), remaining), time, cancellationToken);
        }
    }

    /// <summary>The pause after the read numbered <paramref name="poll"/> (0 first): 1, 2, 4, then 5 seconds.</summary>
    internal static TimeSpan Pause(int poll) => Min(TimeSpan.FromSeconds(1 << Math.Min(poll, 3)), MaxPoll);

    /// <summary>The profiles still signing, in order, each once (a profile without an ARN is named as such).</summary>
    internal static IReadOnlyList<string> InProgress(IEnumerable<ImageSigningStatus> statuses) =>
        [.. statuses.Where(s => s.Status == SigningStatus.InProgress).Select(Profile).Distinct(StringComparer.Ordinal)];

    /// <summary>
    /// Each signing that FAILED, named by its profile and ECR's <c>failureCode</c> and <c>failureReason</c> ("only
    /// present if status is FAILED", botocore's ECR model). A failed signing stores no signature, now or later.
    /// </summary>
    internal static IEnumerable<string> Failed(IEnumerable<ImageSigningStatus> statuses) =>
        statuses.Where(s => s.Status == SigningStatus.Failed)
            .Select(s => $"{Profile(s)}: {s.FailureCode ?? "no failureCode"}{(string.IsNullOrWhiteSpace(s.FailureReason) ? "" : $", {s.FailureReason}")}");

    private static async Task<List<ImageSigningStatus>> ReadAsync(IEcrClient client, ImageReference source, string digest, CancellationToken cancellationToken)
    {
        var request = new DescribeImageSigningStatusRequest
        {
            RegistryId = source.RegistryId,
            RepositoryName = source.RepositoryName,
            ImageId = new ImageIdentifier { ImageDigest = digest },
        };
        return (await client.DescribeImageSigningStatusAsync(request, cancellationToken)).SigningStatuses ?? [];
    }

    private static string? Notes(List<string> failed, string? other)
    {
        var failure = failed.Count == 0
            ? null
            : $"ECR's managed signing of the source image failed (signing profile {string.Join("; ", failed.Distinct(StringComparer.Ordinal))}), so the copy holds no signature of that profile";
        return ResultNotes.Join(failure, other);
    }

    private static string Profile(ImageSigningStatus status) => status.SigningProfileArn ?? "(unnamed)";

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
