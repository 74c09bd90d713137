using System.Text.Json;
using LocalEcr;
using Replicator.Core.EventBridge;
using Replicator.Core.Signing;
using Replicator.Function.Processing;
using Replicator.Function.ReplicatedEvents;
using Replicator.Samples;
using Replicator.Testing;
using static Replicator.Function.Tests.Reliability.FunctionRig;

namespace Replicator.Function.Tests.Reliability;

/// <summary>How SQS delivers: late, twice, out of order, to two function instances at once, cut short by the deadline.</summary>
public sealed class DeliveryTests
{
    [Fact]
    public async Task The_deadline_mid_copy_reports_the_record_failed_and_the_redelivery_sends_only_what_is_missing()
    {
        // One layer at a time, each completion's answer held 250 ms (LocalEcr stores the layer first). A layer's
        // CompleteLayerUpload runs outside the copy slot, beside the next layer's copy, so the deadline (the token
        // LambdaBootstrap derives from the deadline header) fires at the third upload's first bytes (the second layer's,
        // in one of the two destinations) only once two completions are held, the first layer's in both: at least two
        // blobs are in, whatever the machine's load.
        using var deadline = new CancellationTokenSource();
        LocalEcrServer? server = null;
        var observer = new LayerCountingObserver(3, () =>
        {
            // On the upload's own thread, on purpose: LocalEcr handles the completions on others. Bounded.
            server!.Faults.TimersArmedAsync(2).WaitAsync(TimeSpan.FromMinutes(1)).GetAwaiter().GetResult();
            deadline.Cancel();
        });
        await using var rig = await StartAsync();
        server = rig.Server;
        var image = await rig.PushAsync("deadline", 10, "v1", 60_000, 60_000, 60_000, 60_000, 60_000);
        var message = rig.Message("deadline", image.Digest, "v1");
        rig.Server.Faults.DelayResponses("CompleteLayerUpload", TimeSpan.FromMilliseconds(250));

        // The first invocation on a client of its own, closed once it returns: see below.
        using var connections = rig.Server.WatchConnections();
        using var client = new ConnectionNotingClient();
        var engine = rig.NewEngine(client.Http, FastOptions with { MaxParallelLayers = 1 }, observer);
        var first = await ProcessAsync(rig.NewProcessor(engine), deadline.Token, message);

        Assert.Equal([message.MessageId!], Failed(first));
        Assert.Empty(rig.DeadLetter.Sent);

        // The cancelled calls returned at once; LocalEcr may still be committing a CompleteLayerUpload one of them sent.
        // WhenIdleAsync is not enough: a completion whose bytes were in when the deadline fired (the other destination's,
        // sent beside the upload that fired it) counts only once Kestrel hands it to LocalEcr, and on a busy machine
        // that can come after the held completions ended; its body read before Kestrel saw the client close, it would
        // commit its layer after `present` was counted, or be counted itself after Calls.Reset, and the rerun's count
        // would be off by one. A closed client's requests precede its close on the wire, and Kestrel finishes a
        // connection only after the requests it read from it: once every connection of the first client is finished,
        // nothing it sent can still land.
        client.Dispose();
        await connections.WhenFinishedAsync(client.Opened).WaitAsync(TimeSpan.FromMinutes(1));
        Assert.False(await rig.HasVerifiedImageAsync(West, "deadline", image.Digest));
        var present = 0;
        foreach (var region in new[] { West, Europe })
        {
            foreach (var blob in image.Blobs)
            {
                present += await rig.HasBlobAsync(region, "deadline", blob.Digest) ? 1 : 0;
            }
        }

        Assert.InRange(present, 2, (image.Blobs.Count * 2) - 1);
        rig.Server.Faults.Clear();
        rig.Server.Calls.Reset();

        var rerun = await rig.ProcessAsync(message);

        Assert.Empty(Failed(rerun));
        await rig.AssertReplicatedAsync("deadline", image, "v1");
        Assert.Equal((image.Blobs.Count * 2) - present, rig.Server.Calls.Count("CompleteLayerUpload"));
    }

    [Fact]
    public async Task A_duplicate_delivery_is_a_no_op_reported_up_to_date()
    {
        await using var rig = await StartAsync();
        var image = await rig.PushAsync("dup", 11, "v1", 50_000);
        var message = rig.Message("dup", image.Digest, "v1");
        Assert.Empty(Failed(await rig.ProcessAsync(message)));
        rig.Server.Calls.Reset();
        var lines = rig.Output.ToString().Length;

        // SQS redelivers the same message, and EventBridge's at-least-once delivery can enqueue the event twice.
        var copy = rig.Message("dup", image.Digest, "v1");
        var again = await rig.ProcessAsync(message, copy);

        Assert.Empty(Failed(again));
        Assert.Empty(rig.DeadLetter.Sent);
        foreach (var operation in new[] { "InitiateLayerUpload", "UploadLayerPart", "CompleteLayerUpload", "PutImage", "CreateRepository" })
        {
            Assert.Equal(0, rig.Server.Calls.Count(operation));
        }

        var outcomes = rig.Output.ToString()[lines..].Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(l => l.TryGetProperty("destinationRegion", out _) && !l.TryGetProperty("_aws", out _))
            .Select(l => l.GetProperty("outcome").GetString())
            .ToArray();
        Assert.Equal(4, outcomes.Length);
        Assert.All(outcomes, o => Assert.Equal("UpToDate", o));
    }

    [Fact]
    public async Task Two_invocations_copying_the_same_image_to_the_same_destination_both_succeed()
    {
        await using var rig = await StartAsync();
        var image = await rig.PushAsync("race", 12, "v1", 2_000_000, 700_000, 30_000);
        var first = rig.NewProcessor(rig.NewEngine());
        var second = rig.NewProcessor(rig.NewEngine());

        var responses = await Task.WhenAll(
            ProcessAsync(first, CancellationToken.None, rig.Message("race", image.Digest, "v1")),
            ProcessAsync(second, CancellationToken.None, rig.Message("race", image.Digest, "v1")));

        Assert.All(responses, r => Assert.Empty(Failed(r)));
        Assert.Empty(rig.DeadLetter.Sent);
        await rig.AssertReplicatedAsync("race", image, "v1");
    }

    [Fact]
    public async Task Out_of_order_events_for_one_tag_leave_it_at_the_newest_digest()
    {
        await using var rig = await StartAsync();
        var older = await rig.PushAsync("order", 13, "v1", 40_000);
        var newer = await rig.PushAsync("order", 14, "v1", 41_000);
        var late = rig.Message("order", older.Digest, "v1");

        // The newer event first, then the late older one, in one batch and again in separate batches.
        Assert.Empty(Failed(await rig.ProcessAsync(rig.Message("order", newer.Digest, "v1"), late)));
        Assert.Empty(Failed(await rig.ProcessAsync(late)));

        await rig.AssertReplicatedAsync("order", newer, "v1");
        foreach (var region in new[] { West, Europe })
        {
            // The late event still copies its digest (a pull by digest keeps working), but never moves the tag back.
            Assert.True(await rig.HasVerifiedImageAsync(region, "order", older.Digest));
        }
    }

    [Fact]
    public async Task Out_of_order_events_announce_the_tag_only_where_it_names_the_digest()
    {
        await using var rig = await StartAsync();
        await using var bus = await LocalEventBridge.StartAsync();
        var client = new EventBridgeClient(rig.Http, new StaticCredentialsSource(new AwsCredentials(LocalEventBridge.AccessKeyId, LocalEventBridge.SecretAccessKey)), Source, bus.Endpoint);
        var publisher = new ReplicatedEventPublisher(client, rig.Logger, rig.Metrics, TimeProvider.System, new ReplicatedEventSettings { BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero });
        var processor = rig.NewProcessor(rig.Replicator, Config with { ReplicatedEventBus = EventBusReference.Parse("replicated", "REPLICATED_EVENT_BUS") }, publisher);
        var older = await rig.PushAsync("order-bus", 15, "v1", 40_000);
        var newer = await rig.PushAsync("order-bus", 16, "v1", 41_000);

        // The newer push's event first, then the older one's, late: it copies its digest but leaves v1 at the newer.
        Assert.Empty(Failed(await ProcessAsync(processor, CancellationToken.None, rig.Message("order-bus", newer.Digest, "v1"))));
        Assert.Empty(Failed(await ProcessAsync(processor, CancellationToken.None, rig.Message("order-bus", older.Digest, "v1"))));

        await rig.AssertReplicatedAsync("order-bus", newer, "v1");
        Assert.Empty(bus.Refused);
        var details = bus.Entries.Select(e => JsonDocument.Parse(e.GetProperty("Detail").GetString()!).RootElement).ToList();
        Assert.Equal(4, details.Count);
        var current = details.Where(d => d.GetProperty("image-digest").GetString() == newer.Digest).ToList();
        var late = details.Where(d => d.GetProperty("image-digest").GetString() == older.Digest).ToList();
        Assert.Equal(2, current.Count);
        Assert.All(current, d => Assert.Equal("v1", d.GetProperty("image-tag").GetString()));

        // "Replicated v1 at the older digest" would roll a deploy-on-replicated consumer back: the late copy names no tag.
        Assert.Equal(2, late.Count);
        Assert.All(late, d => Assert.Equal("Replicated", d.GetProperty("result").GetString()));
        Assert.All(late, d => Assert.False(d.TryGetProperty("image-tag", out _)));

        // Its log lines neither: the tag is said in the message, as not moved.
        var lines = rig.Output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(l => !l.TryGetProperty("_aws", out _) && l.TryGetProperty("destinationRegion", out _) && l.GetProperty("outcome").GetString() == "Replicated")
            .ToList();
        var lateLines = lines.Where(l => l.GetProperty("digest").GetString() == older.Digest).ToList();
        Assert.Equal(2, lateLines.Count);
        Assert.All(lateLines, l => Assert.False(l.TryGetProperty("tag", out _)));
        Assert.All(lateLines, l => Assert.EndsWith(RecordHandler.LateTagNote("v1"), l.GetProperty("message").GetString()));
        Assert.Equal(2, lines.Count(l => l.GetProperty("digest").GetString() == newer.Digest));
        Assert.All(lines.Where(l => l.GetProperty("digest").GetString() == newer.Digest), l => Assert.Equal("v1", l.GetProperty("tag").GetString()));
    }

    [Fact]
    public async Task A_signature_that_travels_with_its_image_is_announced_in_every_destination_without_its_own_event()
    {
        // The signature's own push event is lost (the reconciler heals the image, or a backfill sends only tagged
        // images): the image's copy brings the signature along, and a consumer waiting for it in a destination is told.
        await using var rig = await StartAsync();
        await using var bus = await LocalEventBridge.StartAsync();
        var client = new EventBridgeClient(rig.Http, new StaticCredentialsSource(new AwsCredentials(LocalEventBridge.AccessKeyId, LocalEventBridge.SecretAccessKey)), Source, bus.Endpoint);
        var publisher = new ReplicatedEventPublisher(client, rig.Logger, rig.Metrics, TimeProvider.System, new ReplicatedEventSettings { BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero });
        var processor = rig.NewProcessor(rig.Replicator, Config with { ReplicatedEventBus = EventBusReference.Parse("replicated", "REPLICATED_EVENT_BUS") }, publisher);
        var builder = new SampleImageBuilder(seed: 17);
        var image = builder.Image(SampleFormat.Oci, [30_000]);
        var signature = builder.Artifact(image.Root, "application/vnd.dev.cosign.artifact.sig.v1+json", 256);
        await SampleImagePusher.PushAsync(rig.Client(Source), "signed-bus", image, "v1");
        await SampleImagePusher.PushAsync(rig.Client(Source), "signed-bus", signature, null);

        Assert.Empty(Failed(await ProcessAsync(processor, CancellationToken.None, rig.Message("signed-bus", image.Digest, "v1"))));

        Assert.Empty(bus.Refused);
        var details = bus.Entries.Select(e => JsonDocument.Parse(e.GetProperty("Detail").GetString()!).RootElement).ToList();
        Assert.Equal(4, details.Count);
        foreach (var region in new[] { West, Europe })
        {
            Assert.True(await rig.Probe(region).HasVerifiedImageAsync("signed-bus", signature.Digest), $"signature missing in {region}");
            var here = details.Where(d => d.GetProperty("destination-region").GetString() == region).ToList();
            Assert.Equal([image.Digest, signature.Digest], here.Select(d => d.GetProperty("image-digest").GetString()));
            Assert.Equal(image.Digest, here[1].GetProperty("copied-with-digest").GetString());
            Assert.False(here[0].TryGetProperty("copied-with-digest", out _));
        }

        // The signature's own event, delivered after all, finds it there: announced again, UpToDate, as any redelivery.
        Assert.Empty(Failed(await ProcessAsync(processor, CancellationToken.None, rig.Message("signed-bus", signature.Digest, null))));
        var again = bus.Entries.Skip(4).Select(e => JsonDocument.Parse(e.GetProperty("Detail").GetString()!).RootElement).ToList();
        Assert.Equal(2, again.Count);
        Assert.All(again, d => Assert.Equal((signature.Digest, "UpToDate"), (d.GetProperty("image-digest").GetString(), d.GetProperty("result").GetString())));
    }
}
