using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Replicator.Cli.Demo;
using Replicator.Samples;

namespace Replicator.Cli.Tests.Demo;

public sealed class DemoEventsTests
{
    private static readonly DateTimeOffset Time = new(2026, 11, 28, 5, 0, 0, TimeSpan.Zero);
    private static readonly SampleImage Image = new SampleImageBuilder(7).MultiArch(SampleFormat.Oci, [512], withAttestation: true);

    [Fact]
    public void A_multi_arch_push_gives_one_untagged_event_per_child_then_the_tagged_index()
    {
        var events = DemoEvents.ForPush("000000000000", "us-east-1", "demo/app", Image, "v1", Time);

        Assert.Equal(Image.Manifests.Select(m => m.Digest), events.Select(e => e.Detail.ImageDigest));
        Assert.Equal(4, events.Count);
        Assert.All(events.Take(3), e => Assert.Null(e.Detail.ImageTag));
        Assert.Equal("v1", events[^1].Detail.ImageTag);
        Assert.Equal(Image.Digest, events[^1].Detail.ImageDigest);
    }

    [Fact]
    public void The_batch_is_an_SQS_FIFO_event_with_string_attributes_and_the_events_as_bodies()
    {
        var events = DemoEvents.ForPush("000000000000", "us-east-1", "demo/app", Image, "v1", Time);

        var json = DemoEvents.Serialize(DemoEvents.Batch(events, "arn:aws:sqs:us-east-1:000000000000:q.fifo", "us-east-1", Time));

        using var document = JsonDocument.Parse(json);
        var records = document.RootElement.GetProperty("Records").EnumerateArray().ToList();
        Assert.Equal(4, records.Count);
        Assert.Equal(4, records.Select(r => r.GetProperty("messageId").GetString()).Distinct().Count());
        foreach (var (record, index) in records.Select((r, i) => (r, i)))
        {
            var body = record.GetProperty("body").GetString()!;
            Assert.Equal(Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(body))), record.GetProperty("md5OfBody").GetString());
            Assert.Equal("aws:sqs", record.GetProperty("eventSource").GetString());
            var attributes = record.GetProperty("attributes");
            Assert.All(attributes.EnumerateObject(), a => Assert.Equal(JsonValueKind.String, a.Value.ValueKind));
            Assert.Equal("demo/app", attributes.GetProperty("MessageGroupId").GetString());
            using var inner = JsonDocument.Parse(body);
            Assert.Equal(events[index].Detail.ImageDigest, inner.RootElement.GetProperty("detail").GetProperty("image-digest").GetString());
        }

        var sequence = records.Select(r => decimal.Parse(r.GetProperty("attributes").GetProperty("SequenceNumber").GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(sequence.Order(), sequence);
    }

    [Fact]
    public void The_batch_is_byte_for_byte_what_the_CLI_wrote_before_it_shared_the_functions_wire_types()
    {
        // Captured from the CLI's own SqsEvent/SqsRecord before they were replaced by the function's SQSEvent.
        var expected = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Demo", "Golden", "batch.json"));
        var time = new DateTimeOffset(2025, 6, 1, 12, 30, 45, TimeSpan.FromHours(2));
        var events = DemoEvents.ForPush("000000000000", "us-east-1", "demo/app", Image, "v1", time);

        Assert.Equal(expected, DemoEvents.Serialize(DemoEvents.Batch(events, "arn:aws:sqs:us-east-1:000000000000:q.fifo", "us-east-1", time)));
    }

    [Fact]
    public void The_batch_is_deterministic()
    {
        var events = DemoEvents.ForPush("000000000000", "us-east-1", "demo/app", Image, "v1", Time);

        Assert.Equal(
            DemoEvents.Serialize(DemoEvents.Batch(events, "arn", "us-east-1", Time)),
            DemoEvents.Serialize(DemoEvents.Batch(events, "arn", "us-east-1", Time)));
    }
}
