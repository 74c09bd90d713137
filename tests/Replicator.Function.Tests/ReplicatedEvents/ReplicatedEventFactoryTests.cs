using System.Text.Json;
using Replicator.Core.Destinations;
using Replicator.Core.EventBridge;
using Replicator.Core.Replication;
using Replicator.Function.Observability;
using Replicator.Function.ReplicatedEvents;

namespace Replicator.Function.Tests.ReplicatedEvents;

public sealed class ReplicatedEventFactoryTests
{
    private const string Digest = "sha256:2de558ee630688d4305fcac8013bdd6521ec9dd913ddd93d86bdd4208ffefba1";
    private static readonly DateTimeOffset Pushed = new(2026, 11, 28, 4, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = Pushed.AddSeconds(30);
    private static readonly ImageReference Source = new("111111111111", "us-east-1", "team/app", Digest, "v1");
    private static readonly EventBusReference Bus = EventBusReference.Parse("replicated", "REPLICATED_EVENT_BUS");

    [Fact]
    public void Each_destination_that_holds_the_image_gets_one_event_with_the_metric_figures()
    {
        var replicated = Result(new ReplicationDestination("us-west-2"), ReplicationOutcome.Replicated, bytes: 4096, completedAt: Pushed.AddSeconds(12.25));
        var upToDate = Result(new ReplicationDestination("eu-west-1", "222222222222"), ReplicationOutcome.UpToDate, bytes: 0, completedAt: Pushed.AddSeconds(3));
        var result = new ReplicationResult(Source, Digest, [replicated, upToDate]);

        var events = ReplicatedEventFactory.Create(Source, Pushed, RepositoryMapping.Identity, result, Bus, Now);

        Assert.Equal(2, events.Count);
        var first = events[0].Entry;
        Assert.Equal("ecr-replicator", first.Source);
        Assert.Equal("ECR Image Replicated", first.DetailType);
        Assert.Equal("replicated", first.EventBusName);
        Assert.Equal(Pushed.AddSeconds(12.25), first.Time);
        Assert.Equal(["arn:aws:ecr:us-west-2:111111111111:repository/team/app"], first.Resources);
        using var detail = JsonDocument.Parse(first.Detail!);
        var d = detail.RootElement;
        Assert.Equal("Replicated", d.GetProperty("result").GetString());
        Assert.Equal("team/app", d.GetProperty("repository-name").GetString());
        Assert.Equal("team/app", d.GetProperty("destination-repository-name").GetString());
        Assert.Equal(Digest, d.GetProperty("image-digest").GetString());
        Assert.Equal("v1", d.GetProperty("image-tag").GetString());
        Assert.Equal("us-east-1", d.GetProperty("source-region").GetString());
        Assert.Equal("us-west-2", d.GetProperty("destination-region").GetString());
        Assert.Equal("111111111111", d.GetProperty("source-registry-id").GetString());
        Assert.Equal("111111111111", d.GetProperty("destination-registry-id").GetString());
        Assert.Equal(MetricsWriter.LatencySeconds(replicated, Pushed, Now), d.GetProperty("latency-seconds").GetDouble());
        Assert.Equal(12.25, d.GetProperty("latency-seconds").GetDouble());
        Assert.Equal(4096, d.GetProperty("bytes-copied").GetInt64());

        // Held before this delivery: announced, without a latency (the event's age is not a replication's).
        using var second = JsonDocument.Parse(events[1].Entry.Detail!);
        Assert.Equal("UpToDate", second.RootElement.GetProperty("result").GetString());
        Assert.False(second.RootElement.TryGetProperty("latency-seconds", out _));
        Assert.Equal("222222222222", second.RootElement.GetProperty("destination-registry-id").GetString());
        Assert.Equal(["arn:aws:ecr:eu-west-1:222222222222:repository/team/app"], events[1].Entry.Resources);
        Assert.Equal("eu-west-1", events[1].DestinationRegion);
    }

    [Fact]
    public void A_mapped_repository_is_named_in_the_destination_and_its_ARN()
    {
        var mapping = RepositoryMapping.Parse("team/=mirror/team/");
        var result = new ReplicationResult(Source, Digest, [Result(new ReplicationDestination("cn-north-1", "333333333333"), ReplicationOutcome.Replicated)]);

        var entry = Assert.Single(ReplicatedEventFactory.Create(Source, Pushed, mapping, result, Bus, Now)).Entry;

        using var detail = JsonDocument.Parse(entry.Detail!);
        Assert.Equal("team/app", detail.RootElement.GetProperty("repository-name").GetString());
        Assert.Equal("mirror/team/app", detail.RootElement.GetProperty("destination-repository-name").GetString());
        Assert.Equal(["arn:aws-cn:ecr:cn-north-1:333333333333:repository/mirror/team/app"], entry.Resources);
    }

    [Fact]
    public void A_region_of_another_partition_is_never_named_with_the_source_account()
    {
        // OtherPartitionDestinations=cn-north-1 with its credentials from SSM (docs/deploy.md): the entry names no
        // account, and the keys there belong to an account of aws-cn, never to the source's.
        var china = new ReplicationDestination("cn-north-1");
        var access = DestinationAccess.Parse(null, null, null, "cn-north-1=ssm:/replicator/cn", [china], "us-east-1");
        var result = new ReplicationResult(Source, Digest, [Result(china, ReplicationOutcome.Replicated)]);

        var entry = Assert.Single(ReplicatedEventFactory.Create(Source, Pushed, RepositoryMapping.Identity, result, Bus, Now, access)).Entry;

        using var detail = JsonDocument.Parse(entry.Detail!);
        Assert.False(detail.RootElement.TryGetProperty("destination-registry-id", out _));
        Assert.Equal("111111111111", detail.RootElement.GetProperty("source-registry-id").GetString());
        Assert.Null(entry.Resources);

        // Without the credentials' routing (null access) the partition alone still rules the source's account out.
        var unrouted = Assert.Single(ReplicatedEventFactory.Create(Source, Pushed, RepositoryMapping.Identity, result, Bus, Now)).Entry;
        Assert.Null(unrouted.Resources);
    }

    [Fact]
    public void A_region_written_with_its_own_credentials_takes_the_account_ECR_reported()
    {
        // Same partition, but keys of another account from SSM: ECR's registryId names the account that holds the image.
        var west = new ReplicationDestination("us-west-2");
        var access = DestinationAccess.Parse(null, null, null, "us-west-2=ssm:/replicator/west", [west], "us-east-1");
        var unknown = new ReplicationResult(Source, Digest, [Result(west, ReplicationOutcome.Replicated)]);
        var reported = new ReplicationResult(Source, Digest, [Result(west, ReplicationOutcome.Replicated) with { RegistryId = "444444444444" }]);

        Assert.Null(Assert.Single(ReplicatedEventFactory.Create(Source, Pushed, RepositoryMapping.Identity, unknown, Bus, Now, access)).Entry.Resources);
        var entry = Assert.Single(ReplicatedEventFactory.Create(Source, Pushed, RepositoryMapping.Identity, reported, Bus, Now, access)).Entry;

        using var detail = JsonDocument.Parse(entry.Detail!);
        Assert.Equal("444444444444", detail.RootElement.GetProperty("destination-registry-id").GetString());
        Assert.Equal(["arn:aws:ecr:us-west-2:444444444444:repository/team/app"], entry.Resources);
    }

    [Fact]
    public void A_region_of_another_partition_takes_the_account_ECR_reported()
    {
        var china = new ReplicationDestination("cn-north-1");
        var access = DestinationAccess.Parse(null, null, null, "cn-north-1=ssm:/replicator/cn", [china], "us-east-1");
        var result = new ReplicationResult(Source, Digest, [Result(china, ReplicationOutcome.UpToDate) with { RegistryId = "333333333333" }]);

        var entry = Assert.Single(ReplicatedEventFactory.Create(Source, Pushed, RepositoryMapping.Identity, result, Bus, Now, access)).Entry;

        Assert.Equal(["arn:aws-cn:ecr:cn-north-1:333333333333:repository/team/app"], entry.Resources);
    }

    [Theory]
    [InlineData(ReplicationOutcome.Failed)]
    [InlineData(ReplicationOutcome.Skipped)]
    [InlineData(ReplicationOutcome.Archived)]
    [InlineData(ReplicationOutcome.Deleted)]
    public void A_destination_that_does_not_hold_the_image_gets_none(ReplicationOutcome outcome)
    {
        var result = new ReplicationResult(Source, Digest, [Result(new ReplicationDestination("us-west-2"), outcome)]);

        Assert.Empty(ReplicatedEventFactory.Create(Source, Pushed, RepositoryMapping.Identity, result, Bus, Now));
    }

    [Fact]
    public void Without_a_push_time_or_a_tag_those_fields_are_left_out()
    {
        var untagged = Source with { Tag = null };
        var result = new ReplicationResult(untagged, Digest, [Result(new ReplicationDestination("us-west-2"), ReplicationOutcome.Replicated, tag: null)]);

        var entry = Assert.Single(ReplicatedEventFactory.Create(untagged, null, RepositoryMapping.Identity, result, Bus, Now)).Entry;

        using var detail = JsonDocument.Parse(entry.Detail!);
        Assert.False(detail.RootElement.TryGetProperty("latency-seconds", out _));
        Assert.False(detail.RootElement.TryGetProperty("image-tag", out _));
    }

    [Fact]
    public void A_destination_whose_tag_was_left_elsewhere_is_announced_without_the_tag()
    {
        // A late event for v1 after a newer push of v1: the engine copied the digest but left v1 at the newer one, so
        // "v1 at this digest" would send a deploy-on-replicated consumer back to the older image.
        var west = Result(new ReplicationDestination("us-west-2"), ReplicationOutcome.Replicated, tag: null);
        var europe = Result(new ReplicationDestination("eu-west-1"), ReplicationOutcome.UpToDate);
        var result = new ReplicationResult(Source, Digest, [west, europe]);

        var events = ReplicatedEventFactory.Create(Source, Pushed, RepositoryMapping.Identity, result, Bus, Now);

        Assert.Equal(2, events.Count);
        using var late = JsonDocument.Parse(events[0].Entry.Detail!);
        Assert.False(late.RootElement.TryGetProperty("image-tag", out _));
        Assert.Equal(Digest, late.RootElement.GetProperty("image-digest").GetString());
        using var held = JsonDocument.Parse(events[1].Entry.Detail!);
        Assert.Equal("v1", held.RootElement.GetProperty("image-tag").GetString());
    }

    [Fact]
    public void Each_referrer_the_copy_put_is_announced_after_the_image_with_the_image_it_travelled_with()
    {
        const string signature = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
        const string sbom = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
        var replicated = Result(new ReplicationDestination("us-west-2"), ReplicationOutcome.Replicated, bytes: 4096, completedAt: Pushed.AddSeconds(12.25)) with { ReferrersPut = [sbom, signature] };
        var upToDate = Result(new ReplicationDestination("eu-west-1"), ReplicationOutcome.UpToDate, bytes: 0);
        var result = new ReplicationResult(Source, Digest, [replicated, upToDate]);

        var events = ReplicatedEventFactory.Create(Source, Pushed, RepositoryMapping.Identity, result, Bus, Now);

        Assert.Equal([(Digest, "us-west-2"), (sbom, "us-west-2"), (signature, "us-west-2"), (Digest, "eu-west-1")], events.Select(e => (e.Digest, e.DestinationRegion)));
        using var image = JsonDocument.Parse(events[0].Entry.Detail!);
        Assert.False(image.RootElement.TryGetProperty("copied-with-digest", out _));
        foreach (var e in events.Skip(1).Take(2))
        {
            using var detail = JsonDocument.Parse(e.Entry.Detail!);
            var d = detail.RootElement;
            Assert.Equal(e.Digest, d.GetProperty("image-digest").GetString());
            Assert.Equal(Digest, d.GetProperty("copied-with-digest").GetString());
            Assert.Equal("Replicated", d.GetProperty("result").GetString());
            // No tag (a referrer is pushed by digest), no latency (its own push was not measured), and the bytes are
            // the image's event's.
            Assert.False(d.TryGetProperty("image-tag", out _));
            Assert.False(d.TryGetProperty("latency-seconds", out _));
            Assert.Equal(0, d.GetProperty("bytes-copied").GetInt64());
            Assert.Equal("team/app", d.GetProperty("destination-repository-name").GetString());
            Assert.Equal(events[0].Entry.Resources, e.Entry.Resources);
            Assert.Equal(events[0].Entry.Time, e.Entry.Time);
        }
    }

    [Fact]
    public void Each_subject_a_referrers_copy_put_first_is_announced_before_its_referrers_with_the_referrer_it_travelled_with()
    {
        const string index = "sha256:3333333333333333333333333333333333333333333333333333333333333333";
        const string platform = "sha256:4444444444444444444444444444444444444444444444444444444444444444";
        const string other = "sha256:5555555555555555555555555555555555555555555555555555555555555555";
        var west = Result(new ReplicationDestination("us-west-2"), ReplicationOutcome.Replicated, tag: null) with { SubjectsPut = [index, platform], ReferrersPut = [other] };
        var result = new ReplicationResult(Source with { Tag = null }, Digest, [west]);

        var events = ReplicatedEventFactory.Create(Source with { Tag = null }, Pushed, RepositoryMapping.Identity, result, Bus, Now);

        Assert.Equal([Digest, index, platform, other], events.Select(e => e.Digest));
        foreach (var e in events.Skip(1))
        {
            using var detail = JsonDocument.Parse(e.Entry.Detail!);
            Assert.Equal(Digest, detail.RootElement.GetProperty("copied-with-digest").GetString());
            Assert.False(detail.RootElement.TryGetProperty("image-tag", out _));
            Assert.Equal(0, detail.RootElement.GetProperty("bytes-copied").GetInt64());
        }
    }

    /// <summary>
    /// A copy that put a subject first, or some referrers, and then failed (another referrer's put, the referrer's own)
    /// left those in the destination; the retry finds them there and puts only the rest, so only this result can
    /// announce them. The image itself is not announced: it is not there, or its retry announces it.
    /// </summary>
    [Fact]
    public void A_failed_destination_announces_what_its_copy_put_before_it_failed_and_not_the_image()
    {
        const string subject = "sha256:3333333333333333333333333333333333333333333333333333333333333333";
        const string sbom = "sha256:5555555555555555555555555555555555555555555555555555555555555555";
        var west = Result(new ReplicationDestination("us-west-2"), ReplicationOutcome.Failed, tag: null) with
        {
            CompletedAt = null, ErrorCode = "InvalidParameterException", SubjectsPut = [subject], ReferrersPut = [sbom],
        };
        var europe = Result(new ReplicationDestination("eu-west-1"), ReplicationOutcome.Failed, tag: null) with { CompletedAt = null, ErrorCode = "ServerException", Transient = true };
        var result = new ReplicationResult(Source, Digest, [west, europe]);

        var events = ReplicatedEventFactory.Create(Source, Pushed, RepositoryMapping.Identity, result, Bus, Now);

        Assert.Equal([subject, sbom], events.Select(e => e.Digest));
        Assert.All(events, e =>
        {
            Assert.Equal("us-west-2", e.DestinationRegion);
            Assert.Equal(Now, e.Entry.Time);
            using var detail = JsonDocument.Parse(e.Entry.Detail!);
            Assert.Equal("Replicated", detail.RootElement.GetProperty("result").GetString());
            Assert.Equal(Digest, detail.RootElement.GetProperty("copied-with-digest").GetString());
            Assert.False(detail.RootElement.TryGetProperty("latency-seconds", out _));
        });
    }

    /// <summary>
    /// A referrer whose subject's copy put it too, and whose own copy then failed: it is in the destination, and its own
    /// event (the one a held destination sends) is not sent, so it is announced as put, without copied-with-digest.
    /// </summary>
    [Fact]
    public void A_failed_referrer_its_subjects_copy_put_is_announced_as_itself()
    {
        const string subject = "sha256:3333333333333333333333333333333333333333333333333333333333333333";
        var west = Result(new ReplicationDestination("us-west-2"), ReplicationOutcome.Failed, tag: null) with
        {
            CompletedAt = null, ErrorCode = "ServerException", Transient = true, SubjectsPut = [subject], ReferrersPut = [Digest],
        };

        var events = ReplicatedEventFactory.Create(Source with { Tag = null }, Pushed, RepositoryMapping.Identity, new ReplicationResult(Source with { Tag = null }, Digest, [west]), Bus, Now);

        Assert.Equal([subject, Digest], events.Select(e => e.Digest));
        using var own = JsonDocument.Parse(events[1].Entry.Detail!);
        Assert.Equal("Replicated", own.RootElement.GetProperty("result").GetString());
        Assert.False(own.RootElement.TryGetProperty("copied-with-digest", out _));
        using var first = JsonDocument.Parse(events[0].Entry.Detail!);
        Assert.Equal(Digest, first.RootElement.GetProperty("copied-with-digest").GetString());
    }

    /// <summary>
    /// An event names the digest its destination's result reports (what that destination holds), before the request's:
    /// the result's digest is the fallback for a destination result that names none.
    /// </summary>
    [Fact]
    public void The_digest_announced_is_the_one_the_destination_reports()
    {
        const string held = "sha256:4444444444444444444444444444444444444444444444444444444444444444";
        var west = Result(new ReplicationDestination("us-west-2"), ReplicationOutcome.Replicated) with { Digest = held };
        var europe = Result(new ReplicationDestination("eu-west-1"), ReplicationOutcome.Replicated) with { Digest = null };

        var events = ReplicatedEventFactory.Create(Source, Pushed, RepositoryMapping.Identity, new ReplicationResult(Source, Digest, [west, europe]), Bus, Now);

        Assert.Equal([held, Digest], events.Select(e => e.Digest));
        using var detail = JsonDocument.Parse(events[0].Entry.Detail!);
        Assert.Equal(held, detail.RootElement.GetProperty("image-digest").GetString());
    }

    /// <summary>
    /// Only a destination that holds the image, or a failed one whose copy put a subject or referrer before failing,
    /// announces anything: a skipped, archived or deleted result sends no event, whatever it lists as put.
    /// </summary>
    [Theory]
    [InlineData(ReplicationOutcome.Skipped)]
    [InlineData(ReplicationOutcome.Archived)]
    [InlineData(ReplicationOutcome.Deleted)]
    public void A_destination_neither_holding_nor_failed_announces_nothing_it_lists_as_put(ReplicationOutcome outcome)
    {
        const string sbom = "sha256:5555555555555555555555555555555555555555555555555555555555555555";
        var west = Result(new ReplicationDestination("us-west-2"), outcome) with { ReferrersPut = [sbom] };

        Assert.Empty(ReplicatedEventFactory.Create(Source, Pushed, RepositoryMapping.Identity, new ReplicationResult(Source, Digest, [west]), Bus, Now));
    }

    private static DestinationResult Result(ReplicationDestination destination, ReplicationOutcome outcome, long bytes = 100, DateTimeOffset? completedAt = null, string? tag = "v1") =>
        new(destination, outcome, Digest, 1, 0, bytes, TimeSpan.FromSeconds(1)) { CompletedAt = completedAt ?? Now, Tag = tag };
}
