using System.Text.RegularExpressions;
using Replicator.Core.Replication;
using Replicator.Function.Events;

namespace Replicator.Function.Processing;

/// <summary>What to do with one valid event: a pure function of the event and the settings, no I/O.</summary>
public sealed record RecordDecision(RecordAction Action, string Reason, bool Filtered = false)
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

        // A push by digest (each child of a multi-arch image, attestations) has no tag and always replicates:
        // the tagged index that follows needs its children in the destination.
        if (imageEvent.Tag is { } tag && tagFilter is not null && !tagFilter.IsMatch(tag))
        {
            return new(RecordAction.Acknowledge, $"tag {tag} does not match TAG_FILTER", Filtered: true);
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
