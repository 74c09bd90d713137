using System.Text.RegularExpressions;
using Replicator.Core.Destinations;
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
        Assert.Equal([new ReplicationDestination("us-east-1", "111111111111"), new ReplicationDestination("us-west-2")], RecordDecision.DestinationsFor(Event(), configured, DestinationAccess.SourceOnly));
    }

    [Fact]
    public void A_region_and_the_event_account_in_that_region_are_one_destination_written_once()
    {
        // us-west-2 is written with the function's own credentials, so it is the event's account there, as is
        // 000000000000:us-west-2: two entries, one registry (DestinationRegions us-west-2 and OtherAccountDestinations
        // OWN:us-west-2, which CloudFormation cannot tell apart).
        ReplicationDestination[] configured = [new("us-west-2"), new("eu-west-1"), new("us-west-2", "000000000000")];

        Assert.Equal([new ReplicationDestination("us-west-2"), new ReplicationDestination("eu-west-1")], RecordDecision.DestinationsFor(Event(), configured, DestinationAccess.SourceOnly));
    }

    [Fact]
    public void A_region_written_with_other_credentials_is_not_taken_for_the_event_account_there()
    {
        // A key pair from SSM may belong to any account: us-west-2 is then not known to be 000000000000's registry.
        ReplicationDestination[] configured = [new("us-west-2"), new("us-west-2", "000000000000")];
        var access = DestinationAccess.Parse(null, null, null, "us-west-2=ssm:/replicator/west", configured, "us-east-1");

        Assert.Equal(configured, RecordDecision.DestinationsFor(Event(), configured, access));
    }

    private const string OwnQueue = "arn:aws:sqs:us-east-1:000000000000:ecr-replicator.fifo";

    [Fact]
    public void An_event_of_the_function_own_account_and_region_passes_the_source_check()
    {
        RecordDecision.RequireOwnSource(Event(), "us-east-1", OwnQueue);
        RecordDecision.RequireOwnSource(Event(), "us-east-1", "arn:aws:sqs:us-east-1:000000000000:other.fifo");
    }

    [Fact]
    public void An_event_naming_another_region_is_refused_with_both_regions_named()
    {
        // A DELETE forwarded from another region's bus, or sent to the queue by hand: that region's registry is not
        // the function's source, and asking it whether it still holds the image would answer "no" for a repository it
        // does not have.
        var refused = Assert.Throws<InvalidEventException>(() => RecordDecision.RequireOwnSource(Event("DELETE", region: "eu-west-1"), "us-east-1", OwnQueue));

        Assert.Equal("region", refused.Field);
        Assert.Contains("'eu-west-1'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("us-east-1", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_event_naming_another_account_than_its_queue_is_refused_with_both_accounts_named()
    {
        var refused = Assert.Throws<InvalidEventException>(() => RecordDecision.RequireOwnSource(Event(), "us-east-1", "arn:aws:sqs:us-east-1:999999999999:ecr-replicator.fifo"));

        Assert.Equal("account", refused.Field);
        Assert.Contains("'000000000000'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("999999999999", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("arn:aws:sns:us-east-1:000000000000:topic")]
    [InlineData("not an arn")]
    public void Without_a_queue_ARN_the_account_cannot_be_checked_and_the_event_is_refused(string? eventSourceArn)
    {
        // A hand-made invoke: nothing says whose registry the event may name, so it names none (the sample events
        // all carry the queue ARN of the account they name).
        var refused = Assert.Throws<InvalidEventException>(() => RecordDecision.RequireOwnSource(Event(), "us-east-1", eventSourceArn));

        Assert.Equal("eventSourceARN", refused.Field);
        Assert.Contains("'000000000000'", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_region_is_checked_before_the_queue()
    {
        Assert.Equal("region", Assert.Throws<InvalidEventException>(() => RecordDecision.RequireOwnSource(Event(region: "us-west-2"), "us-east-1", null)).Field);
    }
}
