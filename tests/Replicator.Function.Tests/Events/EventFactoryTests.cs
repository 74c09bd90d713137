using System.Text.Json;
using Replicator.Function.Events;

namespace Replicator.Function.Tests.Events;

public sealed class EventFactoryTests
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private static readonly DateTimeOffset Time = new(2025, 6, 1, 12, 30, 45, TimeSpan.FromHours(2));

    [Fact]
    public void A_tagged_push_has_the_shape_ECR_emits()
    {
        var json = EventFactory.Serialize(EventFactory.Push("123456789012", "us-east-1", "team/app", Digest, "v1", Time));

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal(["version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("0", root.GetProperty("version").GetString());
        Assert.Equal("2025-06-01T10:30:45Z", root.GetProperty("time").GetString());
        Assert.Equal(0, root.GetProperty("resources").GetArrayLength());
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", root.GetProperty("id").GetString());
        var detail = root.GetProperty("detail");
        Assert.Equal(["result", "repository-name", "image-digest", "action-type", "image-tag"], detail.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void A_push_by_digest_has_no_image_tag()
    {
        var json = EventFactory.Serialize(EventFactory.Push("123456789012", "us-east-1", "app", Digest, null, Time));

        using var document = JsonDocument.Parse(json);
        Assert.False(document.RootElement.GetProperty("detail").TryGetProperty("image-tag", out _));
    }

    [Fact]
    public void Messages_group_by_repository_and_deduplicate_on_what_the_event_names()
    {
        var first = EventFactory.Message(EventFactory.Push("123456789012", "us-east-1", "app", Digest, "v1", Time));
        var later = EventFactory.Message(EventFactory.Push("123456789012", "us-east-1", "app", Digest, "v1", Time.AddHours(1)));
        var otherTag = EventFactory.Message(EventFactory.Push("123456789012", "us-east-1", "app", Digest, "v2", Time));

        Assert.Equal("app", first.GroupId);
        Assert.Equal(first.DeduplicationId, later.DeduplicationId);
        Assert.NotEqual(first.DeduplicationId, otherTag.DeduplicationId);
        Assert.Matches("^[0-9a-f]{64}$", first.DeduplicationId);
    }

    [Theory]
    [InlineData("v1", "tagged.json", "1ed88ef60927b26b770d74a4c9bf8535410124959f4d9d34ffd529f346fd1c5c")]
    [InlineData(null, "untagged.json", "6e7040bcb9e277b8fafb6d480f50f917799d0edf5723d669d37d912734ddedd0")]
    public void A_push_is_byte_for_byte_and_id_for_id_what_sync_enqueue_sent_before(string? tag, string golden, string deduplicationId)
    {
        // Captured before the CLI's event types moved here: queued messages and their deduplication ids must not change
        // with a version, or a message sent by an older CLI and a newer function would both be queued.
        var expected = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Events", "Golden", golden));
        var value = EventFactory.Push("123456789012", "us-east-1", "team/app", Digest, tag, Time);

        Assert.Equal(expected, EventFactory.Serialize(value));
        Assert.Equal(deduplicationId, EventFactory.Message(value).DeduplicationId);
    }

    [Fact]
    public void A_delete_is_what_ECR_sends_and_parses_back_as_a_delete()
    {
        var value = EventFactory.Delete("123456789012", "us-east-1", "app", Digest, "v1", Time);

        var parsed = EcrEventParser.Parse(EventFactory.Serialize(value));

        Assert.Equal(ImageAction.Delete, parsed.ActionType);
        Assert.Equal(("app", Digest, "v1"), (parsed.RepositoryName, parsed.Digest, parsed.Tag));
        Assert.NotEqual(EventFactory.Push("123456789012", "us-east-1", "app", Digest, "v1", Time).Id, value.Id);
    }

    [Fact]
    public void A_run_joins_the_deduplication_id_so_retries_in_a_run_collapse_and_the_next_run_is_queued()
    {
        var value = EventFactory.Push("123456789012", "us-east-1", "app", Digest, "v1", Time);

        Assert.Equal(EventFactory.Message(value, "run-1").DeduplicationId, EventFactory.Message(value, "run-1").DeduplicationId);
        Assert.NotEqual(EventFactory.Message(value, "run-1").DeduplicationId, EventFactory.Message(value, "run-2").DeduplicationId);
        Assert.NotEqual(EventFactory.Message(value).DeduplicationId, EventFactory.Message(value, "run-1").DeduplicationId);
        Assert.Equal("app", EventFactory.Message(value, "run-1").GroupId);
    }

    [Fact]
    public void A_repository_name_longer_than_a_group_id_gets_its_hashed_group_and_the_event_keeps_the_whole_name()
    {
        // ECR names reach 256 characters, SQS group ids 128 (SendMessage API reference): SQS refuses a longer one.
        var repository = "team/" + new string('a', 250);
        var value = EventFactory.Push("123456789012", "us-east-1", repository, Digest, "v1", Time);

        var message = EventFactory.Message(value, "run-1");

        Assert.Equal(Core.Reconciliation.MessageGroupIds.For(repository), message.GroupId);
        Assert.True(message.GroupId.Length <= 128);
        Assert.Equal(repository, EcrEventParser.Parse(message.Body).RepositoryName);
    }
}
