using System.Text;
using Replicator.Function.Events;
using E = Replicator.Function.Tests.Support.Events;

namespace Replicator.Function.Tests.Reconcile;

/// <summary>Telling the schedule's event from an SQS batch, on the payload's top level only.</summary>
public sealed class ScheduledEventTests
{
    private static bool Is(string json) => ScheduledEvent.Is(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void The_sample_scheduled_event_is_one_and_every_sample_SQS_event_is_not()
    {
        Assert.True(Is(File.ReadAllText(Path.Combine(E.EventsDirectory, "scheduled.json"))));
        foreach (var file in new[] { "push.json", "multi-arch-push.json", "delete.json", "batch.json", "malformed.json" })
        {
            Assert.False(Is(File.ReadAllText(Path.Combine(E.EventsDirectory, file))), file);
        }
    }

    [Theory]
    [InlineData("""{"detail-type":"Scheduled Event","source":"aws.events","detail":{"nested":{"source":"x"}}}""", true)]
    [InlineData("""{"source":"aws.events","detail-type":"Scheduled Event"}""", true)]
    [InlineData("""{"source":"aws.events","detail-type":"EC2 Instance State-change Notification"}""", false)]
    [InlineData("""{"source":"aws.ecr","detail-type":"Scheduled Event"}""", false)]
    [InlineData("""{"Records":[],"source":"aws.events","detail-type":"Scheduled Event"}""", false)]
    [InlineData("""{"detail":{"source":"aws.events","detail-type":"Scheduled Event"}}""", false)]
    [InlineData("""{"source":["aws.events"],"detail-type":"Scheduled Event"}""", false)]
    [InlineData("""[{"source":"aws.events"}]""", false)]
    [InlineData("""{"source":"aws.events","detail-type":"Scheduled Event""", false)]
    [InlineData("not json", false)]
    [InlineData("", false)]
    public void Only_the_top_level_source_and_detail_type_decide(string json, bool scheduled) =>
        Assert.Equal(scheduled, Is(json));
}
