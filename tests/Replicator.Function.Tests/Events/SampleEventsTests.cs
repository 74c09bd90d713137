using System.Text.Json;
using Replicator.Function.Events;
using Replicator.Function.Processing;
using E = Replicator.Function.Tests.Support.Events;

namespace Replicator.Function.Tests.Events;

/// <summary>The files in events/ are what Lambda would deliver and what the function expects.</summary>
public class SampleEventsTests
{
    private static SQSEvent Load(string name) =>
        JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(E.EventsDirectory, name)), EventJsonContext.Default.SQSEvent)!;

    [Theory]
    [InlineData("push.json", 1)]
    [InlineData("multi-arch-push.json", 3)]
    [InlineData("delete.json", 1)]
    [InlineData("batch.json", 6)]
    public void Valid_samples_parse_completely(string file, int records)
    {
        var batch = Load(file);
        Assert.Equal(records, batch.Records.Count);
        foreach (var record in batch.Records)
        {
            Assert.False(string.IsNullOrEmpty(record.MessageId));
            Assert.False(string.IsNullOrEmpty(record.MessageGroupId));
            var parsed = EcrEventParser.Parse(record.Body);
            Assert.Equal("000000000000", parsed.Account);
            Assert.Equal("us-east-1", parsed.Region);

            // A function in us-east-1 takes them: they name its region, and the account of the queue they came from.
            RecordDecision.RequireOwnSource(parsed, "us-east-1", record.EventSourceArn);
        }
    }

    [Fact]
    public void Multi_arch_sample_has_untagged_children_before_the_tagged_index_in_one_group()
    {
        var records = Load("multi-arch-push.json").Records;
        var events = records.Select(r => EcrEventParser.Parse(r.Body)).ToArray();
        Assert.Null(events[0].Tag);
        Assert.Null(events[1].Tag);
        Assert.Equal("1.2.3", events[2].Tag);
        Assert.Single(records.Select(r => r.MessageGroupId).Distinct());
        Assert.Equal(3, events.Select(e => e.Digest).Distinct().Count());
    }

    [Fact]
    public void Batch_sample_spans_several_groups()
    {
        var groups = Load("batch.json").Records.Select(r => r.MessageGroupId).Distinct().ToArray();
        Assert.True(groups.Length >= 3);
    }

    [Fact]
    public void Malformed_sample_records_are_refused()
    {
        var records = Load("malformed.json").Records;
        Assert.Equal("body", Assert.Throws<InvalidEventException>(() => EcrEventParser.Parse(records[0].Body)).Field);
        Assert.Equal("image-digest", Assert.Throws<InvalidEventException>(() => EcrEventParser.Parse(records[1].Body)).Field);
    }

    [Fact]
    public void Batch_response_serialises_in_the_lambda_shape()
    {
        var response = new SQSBatchResponse { BatchItemFailures = [new BatchItemFailure { ItemIdentifier = "m-1" }] };
        Assert.Equal("{\"batchItemFailures\":[{\"itemIdentifier\":\"m-1\"}]}", JsonSerializer.Serialize(response, EventJsonContext.Default.SQSBatchResponse));
        Assert.Equal("{\"batchItemFailures\":[]}", JsonSerializer.Serialize(new SQSBatchResponse(), EventJsonContext.Default.SQSBatchResponse));
    }
}
