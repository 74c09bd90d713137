using System.Text.RegularExpressions;
using Replicator.Core.Replication;
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

    /// <summary>The destinations for an event: the configured ones, without the event's own registry and region.</summary>
    public static IReadOnlyList<ReplicationDestination> DestinationsFor(ImageAction imageEvent, IReadOnlyList<ReplicationDestination> configured)
    {
        ArgumentNullException.ThrowIfNull(imageEvent);
        ArgumentNullException.ThrowIfNull(configured);
        return configured
            .Where(d => !d.IsSource(imageEvent.Region, imageEvent.Account))
            .ToArray();
    }
}
