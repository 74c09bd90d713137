using System.Text.RegularExpressions;
using Replicator.Core.Destinations;
using Replicator.Core.Replication;
using Replicator.Core.Validation;
using Replicator.Function.Events;

namespace Replicator.Function.Processing;

/// <summary>What to do with one valid event: a pure function of the event and the settings, no I/O.</summary>
/// <param name="UntaggedReferrersOnly">
/// An untagged push under TAG_FILTER: the engine copies it only as a referrer to destinations that already hold its
/// subject (<see cref="ReplicationRequest.UntaggedReferrersOnly"/>); telling needs the manifest, so the engine decides.
/// </param>
public sealed record RecordDecision(RecordAction Action, string Reason, bool Filtered = false, bool UntaggedReferrersOnly = false)
{
    public static RecordDecision Decide(ImageAction imageEvent, bool replicateDeletes, Regex? tagFilter)
    {
        ArgumentNullException.ThrowIfNull(imageEvent);
        if (imageEvent.Result != ImageAction.Success)
        {
            return new(RecordAction.Acknowledge, $"{imageEvent.ActionType} with result {imageEvent.Result} is not replicated");
        }

        RecordAction action;
        switch (imageEvent.ActionType)
        {
            case ImageAction.Push:
                action = RecordAction.Replicate;
                break;
            case ImageAction.Delete when replicateDeletes:
                action = RecordAction.Delete;
                break;
            case ImageAction.Delete:
                return new(RecordAction.Acknowledge, "DELETE is not replicated (REPLICATE_DELETES is false)");
            default:
                return new(RecordAction.Acknowledge, $"action {imageEvent.ActionType} is not replicated");
        }

        if (imageEvent.Tag is { } tag && tagFilter is not null && !tagFilter.IsMatch(tag))
        {
            return new(RecordAction.Acknowledge, $"tag {tag} does not match TAG_FILTER", Filtered: true);
        }

        // A push by digest (each child of a multi-arch image, a buildx attestation, an OCI 1.1 signature or SBOM) has
        // no tag for the filter to judge. Nothing untagged enters a destination on its own: a child travels with its
        // selected index (whose copy loads and pushes its children), and a referrer is copied only where its subject
        // already is. Without a filter every push replicates, as before.
        if (imageEvent.Tag is null && tagFilter is not null && action == RecordAction.Replicate)
        {
            return new(action, "untagged push under TAG_FILTER: copied only as a referrer of a subject the destination holds", UntaggedReferrersOnly: true);
        }

        return new(action, action == RecordAction.Replicate ? "push" : "delete");
    }

    /// <summary>
    /// Refuses an event that names any source but the function's own registry: its <c>region</c> must be the
    /// function's (AWS_REGION) and its <c>account</c> the one of the queue the record was read from (the account in
    /// the record's <c>eventSourceARN</c>, which the event source mapping sets: the stack's queue, in the function's
    /// account). The event's account and region are where the engine reads the image, and for a DELETE where it asks
    /// whether the source still holds it; a source the function does not own, or another region of its own registry
    /// (whose repository "team/app" does not exist, so it holds nothing), would let a forged DELETE through to every
    /// destination. A record without a queue ARN (a hand-made invoke) is refused too: nothing then says whose
    /// registry the event may name. Throws <see cref="InvalidEventException"/> naming the field and both values.
    /// </summary>
    /// <remarks>
    /// The ECR rule only forwards the stack's own account and region; this check holds for whatever else reaches the
    /// queue (anyone granted sqs:SendMessage on it, an event another region's bus forwards). Lambda's SQS event
    /// shape: https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html.
    /// </remarks>
    public static void RequireOwnSource(ImageAction imageEvent, string functionRegion, string? eventSourceArn)
    {
        ArgumentNullException.ThrowIfNull(imageEvent);
        ArgumentException.ThrowIfNullOrEmpty(functionRegion);
        if (imageEvent.Region != functionRegion)
        {
            throw new InvalidEventException(
                "region",
                $"region {EcrNames.Quote(imageEvent.Region)} is not the function's region {functionRegion}: the function replicates only the images of its own region's registry");
        }

        if (QueueArn.Parse(eventSourceArn) is not { } queue)
        {
            throw new InvalidEventException(
                "eventSourceARN",
                eventSourceArn is null
                    ? $"the record has no eventSourceARN, so account {EcrNames.Quote(imageEvent.Account)} cannot be checked against the function's own (its queue's account); the event source mapping always sets it, and a hand-made event must name the queue as arn:PARTITION:sqs:REGION:ACCOUNT:NAME"
                    : $"eventSourceARN {EcrNames.Quote(eventSourceArn)} is not an SQS queue ARN (arn:PARTITION:sqs:REGION:ACCOUNT:NAME), so account {EcrNames.Quote(imageEvent.Account)} cannot be checked against the function's own");
        }

        if (imageEvent.Account != queue.Account)
        {
            throw new InvalidEventException(
                "account",
                $"account {EcrNames.Quote(imageEvent.Account)} is not the function's account {queue.Account} (its queue's, in eventSourceARN): the function replicates only the images of its own account's registry");
        }
    }

    /// <summary>
    /// The destinations for an event: the configured ones, without the event's own registry and region, one entry per
    /// registry (<see cref="ReplicationDestination.For"/>).
    /// </summary>
    public static IReadOnlyList<ReplicationDestination> DestinationsFor(ImageAction imageEvent, IReadOnlyList<ReplicationDestination> configured, DestinationAccess access)
    {
        ArgumentNullException.ThrowIfNull(imageEvent);
        ArgumentNullException.ThrowIfNull(access);
        return ReplicationDestination.For(configured, imageEvent.Region, imageEvent.Account, d => access.WritesWithSourceCredentials(d, imageEvent.Account));
    }
}
