using System.Text.Json;
using Replicator.Cli.Enqueue;

namespace Replicator.Cli.Tests.Enqueue;

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
}
