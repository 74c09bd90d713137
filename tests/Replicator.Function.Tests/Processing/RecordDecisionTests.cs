using System.Text.RegularExpressions;
using Replicator.Core.Replication;
using Replicator.Function.Events;
using Replicator.Function.Processing;

namespace Replicator.Function.Tests.Processing;

public class RecordDecisionTests
{
    private static readonly Regex ReleaseTags = new("^(?:v[0-9.]+)$", RegexOptions.None, TimeSpan.FromSeconds(1));

    private static ImageAction Event(string action = "PUSH", string result = "SUCCESS", string? tag = "v1", string region = "us-east-1") =>
        new("id", "000000000000", region, null, action, result, "my-app", Support.Events.Digest, tag);

    [Theory]
    [InlineData("PUSH", "SUCCESS", false, RecordAction.Replicate)]
    [InlineData("PUSH", "FAILURE", false, RecordAction.Acknowledge)]
    [InlineData("DELETE", "SUCCESS", false, RecordAction.Acknowledge)]
    [InlineData("DELETE", "SUCCESS", true, RecordAction.Delete)]
    [InlineData("DELETE", "FAILURE", true, RecordAction.Acknowledge)]
    [InlineData("REPLICATE", "SUCCESS", true, RecordAction.Acknowledge)]
    public void Action_and_result_decide(string action, string result, bool replicateDeletes, RecordAction expected)
    {
        Assert.Equal(expected, RecordDecision.Decide(Event(action, result), replicateDeletes, null).Action);
    }

    [Fact]
    public void Tags_outside_the_filter_are_acknowledged_as_filtered()
    {
        var decision = RecordDecision.Decide(Event(tag: "latest"), false, ReleaseTags);
        Assert.Equal(RecordAction.Acknowledge, decision.Action);
        Assert.True(decision.Filtered);
        Assert.Equal(RecordAction.Replicate, RecordDecision.Decide(Event(tag: "v1.2"), false, ReleaseTags).Action);
    }

    [Fact]
    public void A_push_without_tag_under_a_filter_goes_to_the_engine_as_referrers_only()
    {
        var decision = RecordDecision.Decide(Event(tag: null), false, ReleaseTags);

        Assert.Equal(RecordAction.Replicate, decision.Action);
        Assert.True(decision.UntaggedReferrersOnly);
        Assert.False(decision.Filtered);
    }

    [Fact]
    public void Without_a_filter_a_push_without_tag_replicates_as_any_push()
    {
        var decision = RecordDecision.Decide(Event(tag: null), false, null);

        Assert.Equal(RecordAction.Replicate, decision.Action);
        Assert.False(decision.UntaggedReferrersOnly);
    }

    [Fact]
    public void A_selected_tag_replicates_in_full()
    {
        Assert.False(RecordDecision.Decide(Event(tag: "v1"), false, ReleaseTags).UntaggedReferrersOnly);
    }

    [Fact]
    public void A_filtered_delete_is_acknowledged()
    {
        var decision = RecordDecision.Decide(Event("DELETE", tag: "latest"), true, ReleaseTags);
        Assert.True(decision.Filtered);
        Assert.Equal(RecordAction.Acknowledge, decision.Action);
    }

    [Fact]
    public void The_source_registry_and_region_is_never_a_destination()
    {
        ReplicationDestination[] configured =
        [
            new("us-east-1"),
            new("us-east-1", "000000000000"),
            new("us-east-1", "111111111111"),
            new("us-west-2"),
        ];
        Assert.Equal([new ReplicationDestination("us-east-1", "111111111111"), new ReplicationDestination("us-west-2")], RecordDecision.DestinationsFor(Event(), configured));
    }
}
