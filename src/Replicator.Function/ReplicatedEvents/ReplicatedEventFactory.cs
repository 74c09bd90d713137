using System.Text.Json;
using Replicator.Core.Destinations;
using Replicator.Core.EventBridge;
using Replicator.Core.EventBridge.Model;
using Replicator.Core.Partitions;
using Replicator.Core.Replication;
using Replicator.Core.Validation;
using Replicator.Function.Observability;

namespace Replicator.Function.ReplicatedEvents;

/// <summary>
/// Turns a replication's result into the "ECR Image Replicated" events, one per destination that now holds the
/// image (outcome Replicated or UpToDate), and one for each subject and referrer the copy put there along with it,
/// even in a destination where the copy then failed.
/// Pure: the clock's reading comes in.
/// </summary>
public static class ReplicatedEventFactory
{
    public const string Source = "ecr-replicator";
    public const string DetailType = "ECR Image Replicated";

    /// <param name="source">The pushed image (account, region, repository, digest of the push event). Its tag is not
    /// announced as such: <c>image-tag</c> is each destination's <see cref="DestinationResult.Tag"/>, the tag the
    /// destination holds at the digest, which a late event (the source's tag moved on) leaves out.</param>
    /// <param name="pushedAt">The push event's <c>time</c>; null leaves <c>latency-seconds</c> out, as it leaves out the metric (no <c>time</c>, or an event the replicator enqueued itself).</param>
    /// <param name="mapping">REPOSITORY_MAPPING, for the destination repository's name.</param>
    /// <param name="result">The engine's result.</param>
    /// <param name="bus">The bus the events go to.</param>
    /// <param name="now">The clock's reading, for a result without <see cref="DestinationResult.CompletedAt"/>.</param>
    /// <param name="access">Which credentials write to each destination (DESTINATION_CREDENTIALS...); null: the replicator's own everywhere.</param>
    public static IReadOnlyList<ReplicatedEvent> Create(
        ImageReference source, DateTimeOffset? pushedAt, RepositoryMapping mapping, ReplicationResult result, EventBusReference bus, DateTimeOffset now, DestinationAccess? access = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(mapping);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(bus);
        var events = new List<ReplicatedEvent>();
        foreach (var destination in result.Destinations)
        {
            // A failed destination announces only what its copy put before it failed (subjects put first, referrers):
            // those are there, and the retry that copies the rest no longer puts them, so it cannot announce them.
            var held = destination.Outcome is ReplicationOutcome.Replicated or ReplicationOutcome.UpToDate;
            var travelled = destination.SubjectsPut.Concat(destination.ReferrersPut).ToList();
            if ((!held && (destination.Outcome != ReplicationOutcome.Failed || travelled.Count == 0))
                || (destination.Digest ?? result.SourceDigest ?? source.Digest) is not { } digest
                || !mapping.TryMap(source.RepositoryName, out var destinationRepository, out _))
            {
                continue;
            }

            var region = destination.Destination.Region;
            var account = DestinationAccount(source, destination, access ?? DestinationAccess.SourceOnly);
            var detail = new ReplicatedEventDetail
            {
                Result = destination.Outcome.ToString(),
                RepositoryName = source.RepositoryName,
                DestinationRepositoryName = destinationRepository,
                ImageDigest = digest,
                ImageTag = destination.Tag,
                SourceRegion = source.Region,
                DestinationRegion = region,
                SourceRegistryId = source.RegistryId,
                DestinationRegistryId = account,
                LatencySeconds = MetricsWriter.LatencySeconds(destination, pushedAt, now),
                BytesCopied = destination.BytesCopied,
            };
            var time = destination.CompletedAt ?? now;
            if (held)
            {
                events.Add(Event(detail, time, bus));
            }

            // A subject put first for a referrer that overtook it, and a referrer that travelled with the image, are
            // images the destination now holds too, whose own push event may never reach this destination (an untagged
            // subject has none that would copy it; a lost event the reconciler healed, a backfill, a region added later).
            foreach (var put in travelled)
            {
                events.Add(Event(
                    detail with
                    {
                        // The pushed image itself only where its own copy failed after its subject's copy had put it.
                        Result = nameof(ReplicationOutcome.Replicated), ImageDigest = put, ImageTag = null, LatencySeconds = null, BytesCopied = 0,
                        CopiedWithDigest = put == digest ? null : digest,
                    },
                    time,
                    bus));
            }
        }

        return events;
    }

    private static ReplicatedEvent Event(ReplicatedEventDetail detail, DateTimeOffset time, EventBusReference bus) =>
        new(detail.DestinationRegion, detail.ImageDigest, new PutEventsRequestEntry
        {
            Time = time,
            Source = Source,
            DetailType = DetailType,
            Detail = JsonSerializer.Serialize(detail, ReplicatedEventJsonContext.Default.ReplicatedEventDetail),
            EventBusName = bus.Value,

            // The destination repository's ARN, as ECR's own events name the repository in resources; left out when
            // the account is not known, rather than named with an account that does not hold it.
            Resources = detail.DestinationRegistryId is not { } account
                ? null
                : [EcrNames.RepositoryArn(detail.DestinationRegion, account, detail.DestinationRepositoryName)],
        });

    /// <summary>
    /// The account that holds the destination's image: the one its entry names (ACCOUNT:REGION), else the one ECR
    /// reported when it wrote or described the image, else the source's, but only for a destination written with the
    /// replicator's own credentials in the source's partition. A bare REGION entry of another partition (written with
    /// an IAM user's keys from SSM, OtherPartitionDestinations) or with credentials of its own is another account,
    /// whose id the replicator does not know: null, and the event names no account.
    /// </summary>
    private static string? DestinationAccount(ImageReference source, DestinationResult destination, DestinationAccess access)
    {
        if ((destination.Destination.RegistryId ?? destination.RegistryId) is { } known)
        {
            return known;
        }

        var d = destination.Destination;
        return d.IsInSourceAccount(AwsPartitions.IdOf(source.Region), source.RegistryId, access.WritesWithSourceCredentials(d, source.RegistryId))
            ? source.RegistryId
            : null;
    }
}
