using Replicator.Core.Replication;
using Replicator.Samples;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Replication;

/// <summary>
/// Two stacks replicating to each other (us-east-1 to us-west-2 and back, docs/deploy.md "Two regions replicating to
/// each other"). ECR sends an "ECR Image Action" PUSH event for every image a PutImage writes, the replicator's own
/// included, so each copy comes back as an event in the other region. The loop ends because a copy that finds the
/// image and tag in place writes nothing (no PutImage, so no event), and a late event never moves a tag back: the tag
/// is written only while the source's tag still points at the event's digest.
/// </summary>
public sealed class ActiveActiveTests
{
    private static ReplicationRequest Back(string repository, string digest, string tag) =>
        new(new ImageReference(Account, West, repository, digest, tag), [new ReplicationDestination(Source)]);

    [Fact]
    public async Task The_event_of_a_replicated_push_finds_the_first_region_up_to_date_and_writes_nothing_there()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 90).MultiArch(SampleFormat.Oci, [20_000, 30_000]);
        await h.PushAsync(Source, "both", image, "v1");
        var replicator = h.Replicator();
        var there = await replicator.ReplicateAsync(Request("both", image.Digest, "v1", West), CancellationToken.None);
        Assert.Equal(ReplicationOutcome.Replicated, Assert.Single(there.Destinations).Outcome);
        h.Server.Calls.Reset();

        // The PUSH event us-west-2's PutImage raised, handled by the stack there.
        var back = await replicator.ReplicateAsync(Back("both", image.Digest, "v1"), CancellationToken.None);

        Assert.Equal(ReplicationOutcome.UpToDate, Assert.Single(back.Destinations).Outcome);
        Assert.Equal(0, h.Calls(Source, "PutImage"));
        Assert.Equal(0, h.Calls(Source, "InitiateLayerUpload"));
        Assert.Equal(image.Digest, await h.TagDigestAsync(Source, "both", "v1"));
    }

    [Fact]
    public async Task A_late_event_of_the_older_push_leaves_the_tag_at_the_newer_push_in_both_regions()
    {
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 91);
        var older = builder.Image(SampleFormat.Oci, [10_000]);
        var newer = builder.Image(SampleFormat.Oci, [11_000]);
        var replicator = h.Replicator();
        await h.PushAsync(Source, "both", older, "v1");
        await replicator.ReplicateAsync(Request("both", older.Digest, "v1", West), CancellationToken.None);

        // v1 is pushed again in us-west-2 and replicated back, before the stack there handles the event of its own
        // replica of the older push.
        await h.PushAsync(West, "both", newer, "v1");
        await replicator.ReplicateAsync(Back("both", newer.Digest, "v1"), CancellationToken.None);
        Assert.Equal(newer.Digest, await h.TagDigestAsync(Source, "both", "v1"));
        h.Server.Calls.Reset();

        var late = await replicator.ReplicateAsync(Back("both", older.Digest, "v1"), CancellationToken.None);
        var lateFromSource = await replicator.ReplicateAsync(Request("both", older.Digest, "v1", West), CancellationToken.None);

        Assert.All([.. late.Destinations, .. lateFromSource.Destinations], d => Assert.NotEqual(ReplicationOutcome.Failed, d.Outcome));
        Assert.Equal(0, h.Calls(Source, "PutImage") + h.Calls(West, "PutImage"));
        Assert.Equal(newer.Digest, await h.TagDigestAsync(Source, "both", "v1"));
        Assert.Equal(newer.Digest, await h.TagDigestAsync(West, "both", "v1"));
    }
}
