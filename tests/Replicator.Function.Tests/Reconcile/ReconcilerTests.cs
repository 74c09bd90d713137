using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Reconciliation;
using Replicator.Core.Replication;
using Replicator.Core.Selection;
using Replicator.Function.Enqueue;
using Replicator.Function.Configuration;
using Replicator.Function.Events;
using Replicator.Function.Observability;
using Replicator.Function.Processing;
using Replicator.Function.Reconcile;
using Replicator.Function.Tests.Destinations;
using Replicator.Function.Tests.Support;
using Replicator.Samples;
using Replicator.Testing;

namespace Replicator.Function.Tests.Reconcile;

/// <summary>The reconciler over LocalEcr (source and destination) and moto's SQS FIFO queue.</summary>
public sealed class ReconcilerTests(MotoFixture moto) : IClassFixture<MotoFixture>
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 6, 0, 0, TimeSpan.Zero);

    private static long _seed = 9000;

    /// <summary>A distinct image each call: a builder's images depend only on its seed and the shape asked for.</summary>
    private static SampleImage Unique(SampleFormat format = SampleFormat.Oci) =>
        new SampleImageBuilder((ulong)Interlocked.Increment(ref _seed)).Image(format, [512]);

    private static FakeTimeProvider SteppingClock() => new(Now) { AutoAdvanceAmount = TimeSpan.FromMinutes(1) };

    private static ReconcileRun Run(string id, DateTimeOffset? stopAt = null) =>
        new() { Account = ReconcileRig.Account, Region = ReconcileRig.Source, RunId = id, Time = Now, StopAt = stopAt };

    [Fact]
    public async Task A_run_enqueues_exactly_what_the_destination_lacks_and_after_replication_the_next_run_finds_nothing()
    {
        await using var h = await ReconcileRig.StartAsync();
        using var sqs = ReconcileRig.Sqs(moto.Server);
        var queue = await ReconcileRig.CreateFifoQueueAsync(sqs, "drift");
        var builder = new SampleImageBuilder(seed: 901);

        // In sync: pushed and replicated.
        var synced = Unique(SampleFormat.Oci);
        await h.PushAsync(ReconcileRig.Source, "synced", synced, "v1");
        await h.ReplicateAsync(EventFactory.Serialize(EventFactory.Push(ReconcileRig.Account, ReconcileRig.Source, "synced", synced.Digest, "v1", Now)));

        // The destination lost a tag: replicated, then the tag deleted there.
        var lost = Unique(SampleFormat.Oci);
        await h.PushAsync(ReconcileRig.Source, "lost", lost, "v1");
        await h.ReplicateAsync(EventFactory.Serialize(EventFactory.Push(ReconcileRig.Account, ReconcileRig.Source, "lost", lost.Digest, "v1", Now)));
        await h.Client(ReconcileRig.West).BatchDeleteImageAsync(new() { RepositoryName = "lost", ImageIds = [new() { ImageTag = "v1" }] });

        // The destination holds the tag at another digest.
        var moved = Unique(SampleFormat.Docker);
        await h.PushAsync(ReconcileRig.Source, "moved", moved, "v1");
        await h.PushAsync(ReconcileRig.West, "moved", Unique(SampleFormat.Docker), "v1");

        // A signature pushed after its image was replicated, whose own event was lost.
        var signed = Unique(SampleFormat.Oci);
        await h.PushAsync(ReconcileRig.Source, "signed", signed, "v1");
        await h.ReplicateAsync(EventFactory.Serialize(EventFactory.Push(ReconcileRig.Account, ReconcileRig.Source, "signed", signed.Digest, "v1", Now)));
        var signature = builder.Artifact(signed.Root, "application/vnd.dev.cosign.artifact.sig.v1+json", 256);
        await h.PushAsync(ReconcileRig.Source, "signed", signature, null);

        // Pushed before the deployment: never had an event; and a multi-arch one, whose children come with the index.
        var before = Unique(SampleFormat.Oci);
        await h.PushAsync(ReconcileRig.Source, "before", before, "v1");
        var multi = builder.MultiArch(SampleFormat.Oci, [512]);
        await h.PushAsync(ReconcileRig.Source, "before", multi, "v2");

        // Outside REPOSITORY_FILTER: never looked at.
        await h.PushAsync(ReconcileRig.Source, "sandbox/x", Unique(SampleFormat.Oci), "v1");

        var selection = new DriftSelection { IncludeRepository = RepositoryFilter.Parse("*,!sandbox/*").Matches };
        var reconciler = new Reconciler(h.Scanner(selection), new SqsMessageSender(sqs, queue), TimeProvider.System);

        var first = await reconciler.RunAsync(Run("run-1"), CancellationToken.None);
        var messages = await ReconcileRig.DrainAsync(sqs, queue);

        Assert.True(first.Completed);
        Assert.Empty(first.Failures);
        Assert.Equal(5, first.Repositories);
        Assert.Equal(5, first.DriftFound);
        Assert.Equal(5, first.DriftEnqueued);
        var events = messages.Select(m => (Action: EcrEventParser.Parse(m.Body), m.Group)).ToList();
        (string, string, string?)[] expected =
        [
            ("before", before.Digest, "v1"),
            ("before", multi.Digest, "v2"),
            ("lost", lost.Digest, "v1"),
            ("moved", moved.Digest, "v1"),
            ("signed", signature.Digest, null),
        ];
        Assert.Equal(expected.Order(), events.Select(e => (e.Action.RepositoryName, e.Action.Digest!, e.Action.Tag)).Order());
        Assert.All(events, e =>
        {
            Assert.Equal(e.Action.RepositoryName, e.Group);
            Assert.Equal(ImageAction.Push, e.Action.ActionType);
            Assert.Equal(ImageAction.Success, e.Action.Result);
            Assert.Equal(ReconcileRig.Account, e.Action.Account);
            Assert.Equal(ReconcileRig.Source, e.Action.Region);
            Assert.Equal(Now, e.Action.Time);
        });
        Assert.Equal(
            [DriftKind.MissingTag, DriftKind.MissingTag, DriftKind.MissingTag, DriftKind.DifferentDigest, DriftKind.MissingReferrer],
            first.Drift.Select(d => d.Kind).Order());

        // The function replicates what was queued; then nothing is left to find.
        foreach (var (body, _) in messages)
        {
            await h.ReplicateAsync(body);
        }

        var second = await reconciler.RunAsync(Run("run-2"), CancellationToken.None);

        Assert.True(second.Completed);
        Assert.Equal(0, second.DriftFound);
        Assert.Equal(0, second.DriftEnqueued);
        Assert.Empty(await ReconcileRig.DrainAsync(sqs, queue));
    }

    [Fact]
    public async Task A_signature_of_one_platform_of_a_replicated_index_is_found_and_healed()
    {
        await using var h = await ReconcileRig.StartAsync();
        using var sqs = ReconcileRig.Sqs(moto.Server);
        var queue = await ReconcileRig.CreateFifoQueueAsync(sqs, "children");
        var builder = new SampleImageBuilder(seed: 902);
        var multi = builder.MultiArch(SampleFormat.Oci, [512]);
        await h.PushAsync(ReconcileRig.Source, "multi", multi, "v1");
        await h.ReplicateAsync(EventFactory.Serialize(EventFactory.Push(ReconcileRig.Account, ReconcileRig.Source, "multi", multi.Digest, "v1", Now)));

        // Signed per platform after the replication (its event lost): the subject is a child, not the tagged index.
        var platform = multi.Manifests[0];
        Assert.NotEqual(multi.Digest, platform.Digest);
        var signature = builder.Artifact(platform, "application/vnd.dev.cosign.artifact.sig.v1+json", 256);
        await h.PushAsync(ReconcileRig.Source, "multi", signature, null);
        var reconciler = new Reconciler(h.Scanner(new DriftSelection()), new SqsMessageSender(sqs, queue), TimeProvider.System);

        var first = await reconciler.RunAsync(Run("run-1"), CancellationToken.None);
        var messages = await ReconcileRig.DrainAsync(sqs, queue);

        var drift = Assert.Single(first.Drift);
        Assert.Equal((DriftKind.MissingReferrer, signature.Digest), (drift.Kind, drift.Digest));
        var (body, _) = Assert.Single(messages);
        Assert.Equal(signature.Digest, EcrEventParser.Parse(body).Digest);

        await h.ReplicateAsync(body);
        var second = await reconciler.RunAsync(Run("run-2"), CancellationToken.None);

        Assert.Equal(0, second.DriftFound);
    }

    [Fact]
    public async Task A_signature_of_an_image_whose_tag_moved_on_is_found_where_the_image_is_held_and_only_there()
    {
        await using var h = await ReconcileRig.StartAsync();
        using var sqs = ReconcileRig.Sqs(moto.Server);
        var queue = await ReconcileRig.CreateFifoQueueAsync(sqs, "moved");
        var builder = new SampleImageBuilder(seed: 908);
        var old = builder.Image(SampleFormat.Oci, [300]);
        var current = builder.Image(SampleFormat.Oci, [301]);
        var never = builder.Image(SampleFormat.Oci, [302]);
        await h.PushAsync(ReconcileRig.Source, "app", old, "latest");
        await h.ReplicateAsync(EventFactory.Serialize(EventFactory.Push(ReconcileRig.Account, ReconcileRig.Source, "app", old.Digest, "latest", Now)));

        // Signed after its replication (the signature's event lost), then the tag moved on: the image is untagged in the
        // source and in the destination, which still holds it. An untagged image the destination never held gets a
        // signature too, which has nowhere to go.
        var signature = builder.Artifact(old.Root, "application/vnd.dev.cosign.artifact.sig.v1+json", 256);
        await h.PushAsync(ReconcileRig.Source, "app", signature, null);
        await h.PushAsync(ReconcileRig.Source, "app", current, "latest");
        await h.ReplicateAsync(EventFactory.Serialize(EventFactory.Push(ReconcileRig.Account, ReconcileRig.Source, "app", current.Digest, "latest", Now)));
        await h.PushAsync(ReconcileRig.Source, "app", never, null);
        await h.PushAsync(ReconcileRig.Source, "app", builder.Artifact(never.Root, "application/vnd.dev.cosign.artifact.sig.v1+json", 256), null);
        var reconciler = new Reconciler(h.Scanner(new DriftSelection()), new SqsMessageSender(sqs, queue), TimeProvider.System);

        var first = await reconciler.RunAsync(Run("run-1"), CancellationToken.None);
        var messages = await ReconcileRig.DrainAsync(sqs, queue);

        var drift = Assert.Single(first.Drift);
        Assert.Equal((DriftKind.MissingReferrer, signature.Digest), (drift.Kind, drift.Digest));
        var (body, _) = Assert.Single(messages);
        await h.ReplicateAsync(body);
        var second = await reconciler.RunAsync(Run("run-2"), CancellationToken.None);

        Assert.Equal(0, second.DriftFound);
    }

    /// <summary>
    /// An image replicated to one destination only (the other added after its tag moved on), then signed with the
    /// signature's event lost: no push of the untagged image will ever come to bring the signature, so the destination
    /// that holds the image must get it from the reconciler, whether or not every other destination holds the image too.
    /// </summary>
    [Fact]
    public async Task A_signature_of_an_untagged_image_that_one_destination_lacks_is_found_where_the_image_is_held()
    {
        await using var h = await ReconcileRig.StartAsync();
        var west = new ReplicationDestination(ReconcileRig.West);
        var europe = new ReplicationDestination(ReconcileRig.Europe);
        var builder = new SampleImageBuilder(seed: 914);
        var old = builder.Image(SampleFormat.Oci, [303]);
        var current = builder.Image(SampleFormat.Oci, [304]);
        await h.PushAsync(ReconcileRig.Source, "app", old, "latest");
        await ReplicateAsync(old.Digest, "latest", west);
        var signature = builder.Artifact(old.Root, "application/vnd.dev.cosign.artifact.sig.v1+json", 256);
        await h.PushAsync(ReconcileRig.Source, "app", signature, null);
        await h.PushAsync(ReconcileRig.Source, "app", current, "latest");
        await ReplicateAsync(current.Digest, "latest", west, europe);
        var scanner = h.ScannerWithAccess([west, europe]);

        var first = await new Reconciler(scanner, new RecordingSender(), TimeProvider.System).RunAsync(Run("untagged-1"), CancellationToken.None);

        var drift = Assert.Single(first.Drift);
        Assert.Equal((DriftKind.MissingReferrer, signature.Digest, (string?)null), (drift.Kind, drift.Digest, drift.Tag));
        Assert.Equal([west], drift.Destinations);

        // The function copies that event to every destination (the subject first where it is missing): nothing is left.
        await ReplicateAsync(signature.Digest, null, west, europe);
        var second = await new Reconciler(scanner, new RecordingSender(), TimeProvider.System).RunAsync(Run("untagged-2"), CancellationToken.None);

        Assert.Equal(0, second.DriftFound);

        async Task ReplicateAsync(string digest, string? tag, params ReplicationDestination[] destinations)
        {
            var result = await h.Engine.ReplicateAsync(
                new ReplicationRequest(new ImageReference(ReconcileRig.Account, ReconcileRig.Source, "app", digest, tag), destinations), CancellationToken.None);
            Assert.True(result.Succeeded, string.Join("; ", result.Destinations.Select(d => d.Message)));
        }
    }

    [Fact]
    public async Task A_signature_reached_from_two_subjects_is_one_event_of_the_run()
    {
        // Two tagged indexes over the same platform manifests (the second differs only in an annotation), whose first
        // platform is signed: the signature is reached from each index.
        await using var h = await ReconcileRig.StartAsync();
        var builder = new SampleImageBuilder(seed: 909);
        var multi = builder.MultiArch(SampleFormat.Oci, [256]);
        await h.PushAsync(ReconcileRig.Source, "both", multi, "v1");
        var again = JsonNode.Parse(multi.Root.Manifest)!.AsObject();
        again["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = "v2" };
        var second = await h.Client(ReconcileRig.Source).PutImageAsync(new PutImageRequest
        {
            RepositoryName = "both",
            ImageManifest = again.ToJsonString(),
            ImageManifestMediaType = multi.Root.MediaType,
            ImageTag = "v2",
        });
        foreach (var (digest, tag) in new[] { (multi.Digest, "v1"), (second.Image!.ImageId!.ImageDigest!, "v2") })
        {
            await h.ReplicateAsync(EventFactory.Serialize(EventFactory.Push(ReconcileRig.Account, ReconcileRig.Source, "both", digest, tag, Now)));
        }

        var signature = builder.Artifact(multi.Manifests[0], "application/vnd.dev.cosign.artifact.sig.v1+json", 256);
        await h.PushAsync(ReconcileRig.Source, "both", signature, null);
        var sender = new RecordingSender();

        // Without subjects in the listing, each index's children are read and walked: the signature is found twice.
        var scanner = h.Scanner((_, _) => { }, new DriftSelection(), paging: null, withoutSubjects: true);

        var report = await new Reconciler(scanner, sender, TimeProvider.System).RunAsync(Run("run-1"), CancellationToken.None);

        Assert.Equal(signature.Digest, Assert.Single(report.Drift).Digest);
        Assert.Equal(1, report.DriftFound);
        Assert.Single(sender.Messages);
    }

    [Fact]
    public async Task Every_message_a_run_sends_is_marked_as_the_reconcilers_and_its_body_is_the_push_event_ECR_sends()
    {
        await using var h = await ReconcileRig.StartAsync();
        using var sqs = ReconcileRig.Sqs(moto.Server);
        var queue = await ReconcileRig.CreateFifoQueueAsync(sqs, "marked");
        var image = Unique();
        await h.PushAsync(ReconcileRig.Source, "marked", image, "v1");

        await new Reconciler(h.Scanner(), new SqsMessageSender(sqs, queue), TimeProvider.System).RunAsync(Run("run-marked"), CancellationToken.None);

        // The function leaves such a record out of ReplicationLatency: its time is the run's, not the push's.
        var message = Assert.Single(await ReconcileRig.DrainMessagesAsync(sqs, queue));
        var sender = message.MessageAttributes[SenderAttribute.Name];
        Assert.Equal(("String", SenderAttribute.Reconciler), (sender.DataType, sender.StringValue));
        Assert.Equal(EventFactory.Serialize(EventFactory.Push(ReconcileRig.Account, ReconcileRig.Source, "marked", image.Digest, "v1", Now)), message.Body);
    }

    [Theory]
    [InlineData(ReconcileRig.Account)]
    [InlineData(null)]
    public async Task Every_message_a_run_sends_names_the_function_own_account_and_region_so_the_function_takes_it(string? runAccount)
    {
        // The scheduled pass gives its run the Scheduled Event's account; sync --enqueue gives none, and the source's
        // registry id is used. Either way the event names the registry the function reads (its account, its region),
        // which is what the function requires of every record before it reads a source.
        await using var h = await ReconcileRig.StartAsync();
        var image = Unique();
        await h.PushAsync(ReconcileRig.Source, "own", image, "v1");
        var sender = new RecordingSender();

        await new Reconciler(h.Scanner(), sender, TimeProvider.System).RunAsync(new ReconcileRun { Account = runAccount, Region = ReconcileRig.Source, Time = Now }, CancellationToken.None);

        var action = EcrEventParser.Parse(Assert.Single(sender.Messages).Body);
        Assert.Equal((ReconcileRig.Account, ReconcileRig.Source), (action.Account, action.Region));
        RecordDecision.RequireOwnSource(action, ReconcileRig.Source, Support.Events.QueueArnOf(ReconcileRig.Account, ReconcileRig.Source));
    }

    [Fact]
    public async Task A_retried_send_within_a_run_is_dropped_by_the_queue_and_the_next_runs_is_not()
    {
        await using var h = await ReconcileRig.StartAsync();
        using var sqs = ReconcileRig.Sqs(moto.Server);
        var queue = await ReconcileRig.CreateFifoQueueAsync(sqs, "dedup");
        await h.PushAsync(ReconcileRig.Source, "app", Unique(), "v1");
        var reconciler = new Reconciler(h.Scanner(), new SqsMessageSender(sqs, queue), TimeProvider.System);

        // The same scheduled event delivered twice (EventBridge is at least once), then the next schedule.
        await reconciler.RunAsync(Run("scheduled-1"), CancellationToken.None);
        await reconciler.RunAsync(Run("scheduled-1"), CancellationToken.None);
        await reconciler.RunAsync(Run("scheduled-2"), CancellationToken.None);

        Assert.Equal(2, (await ReconcileRig.DrainAsync(sqs, queue)).Count);
    }

    [Fact]
    public async Task A_run_stops_at_its_deadline_and_the_next_runs_resume_exactly_where_it_stopped()
    {
        await using var h = await ReconcileRig.StartAsync();
        var expected = new List<(string, string)>();
        foreach (var repository in new[] { "aa", "bb", "cc" })
        {
            for (var i = 0; i < 2; i++)
            {
                var image = Unique(SampleFormat.Oci);
                await h.PushAsync(ReconcileRig.Source, repository, image, $"v{i}");
                expected.Add((repository, image.Digest));
            }
        }

        var store = new MemoryCursorStore();
        var sender = new RecordingSender();
        var scanner = h.Scanner();

        // A clock that moves one minute each time it is read: the reconciler reads it once before each repository and
        // each digest, so a deadline of N minutes and a half lets exactly N+1 of those steps start, in no real time.
        // Reads: repository aa, its two digests, repository bb; the fifth read is past the deadline.
        var first = await new Reconciler(scanner, sender, SteppingClock(), store).RunAsync(Run("r1", Now.AddMinutes(3.5)), CancellationToken.None);

        Assert.False(first.Completed);
        Assert.Equal(new ReconcileCursor("bb"), ReconcileCursor.Parse(store.Value));
        Assert.Equal(2, first.DriftEnqueued);

        // Repository bb, its first digest; the second digest is past the deadline: the cursor stops inside bb.
        var second = await new Reconciler(scanner, sender, SteppingClock(), store).RunAsync(Run("r2", Now.AddMinutes(1.5)), CancellationToken.None);

        Assert.False(second.Completed);
        Assert.Equal(1, second.DriftEnqueued);
        var inside = ReconcileCursor.Parse(store.Value);
        Assert.Equal("bb", inside?.Repository);
        Assert.Equal(expected.Where(e => e.Item1 == "bb").Select(e => e.Item2).Order(StringComparer.Ordinal).First(), inside?.AfterDigest);

        var third = await new Reconciler(scanner, sender, SteppingClock(), store).RunAsync(Run("r3"), CancellationToken.None);

        Assert.True(third.Completed);
        Assert.Equal(ReconcileCursor.StartValue, store.Value);
        Assert.Equal(3, third.DriftEnqueued);

        // Over the three runs, every image exactly once, in repository and digest order.
        var sent = sender.Messages.Select(m => EcrEventParser.Parse(m.Body)).Select(a => (a.RepositoryName, a.Digest!)).ToList();
        Assert.Equal(expected.Order(), sent.Order());
        Assert.Equal(sent.Count, sent.Distinct().Count());
    }

    /// <summary>
    /// Nothing starts at or after the stop time: a run whose clock reads exactly its stop time (a fixed clock, so the
    /// instant is exact) starts no repository, and the next run starts the pass at its first one.
    /// </summary>
    [Fact]
    public async Task A_run_whose_clock_reads_exactly_its_stop_time_starts_nothing_and_leaves_the_cursor_at_the_first_repository()
    {
        await using var h = await ReconcileRig.StartAsync();
        await MissingImagesAsync(h, ("aa", 1), ("bb", 1));
        var store = new MemoryCursorStore();
        var sender = new RecordingSender();

        var report = await new Reconciler(h.Scanner(), sender, new FakeTimeProvider(Now), store).RunAsync(Run("at-stop", Now), CancellationToken.None);

        Assert.False(report.Completed);
        Assert.Equal(0, report.Repositories);
        Assert.Empty(report.Drift);
        Assert.Empty(sender.Messages);
        Assert.Equal(new ReconcileCursor("aa"), ReconcileCursor.Parse(store.Value));
    }

    /// <summary>
    /// A repository deleted after the run listed the registry, before its images are read (ECR answers
    /// RepositoryNotFoundException): there is nothing of it to heal, so it is passed over, neither counted as compared nor
    /// as a failure (which would raise the reconcile failure alarm for a deletion the operator made), and the pass goes
    /// on to the next repository and completes.
    /// </summary>
    [Fact]
    public async Task A_repository_deleted_after_the_listing_is_passed_over_without_a_failure()
    {
        await using var h = await ReconcileRig.StartAsync();
        await MissingImagesAsync(h, ("aa", 1), ("bb", 1));
        var sender = new RecordingSender();
        h.Server.Faults.FailNext("DescribeImages", 1, "RepositoryNotFoundException", region: ReconcileRig.Source);

        var report = await new Reconciler(h.Scanner(), sender, new FakeTimeProvider(Now)).RunAsync(Run("deleted"), CancellationToken.None);

        Assert.True(report.Completed);
        Assert.Empty(report.Failures);
        Assert.Equal(1, report.Repositories);
        Assert.Equal(["bb"], report.Drift.Select(d => d.Repository));
        Assert.Single(sender.Messages);
    }

    /// <summary>The settings of a pass walked into one destination region, and of the same stack once a region was added.</summary>
    private static readonly ReconcileSettings OneRegion = Settings(ReconcileRig.West);

    private static readonly ReconcileSettings RegionAdded = Settings(ReconcileRig.West, "eu-west-1");

    private static ReconcileSettings Settings(params string[] destinations) =>
        ReconcileSettings.Of(destinations.Select(ReplicationDestination.Parse), RepositoryFilter.Everything, null, RepositoryMapping.Identity, replicateDeletes: false);

    /// <summary>
    /// Two runs under <see cref="OneRegion"/> that stop inside bb, after its first digest (as in the deadline test):
    /// aa and bb's first digest are done, and the cursor says so, with the settings it was walked under.
    /// </summary>
    private static async Task<List<(string Repository, string Digest)>> StopInsideBbAsync(ReconcileRig h, MemoryCursorStore store)
    {
        var walk = await MissingImagesAsync(h, ("aa", 2), ("bb", 2), ("cc", 2));
        var scanner = h.Scanner();
        await new Reconciler(scanner, new RecordingSender(), SteppingClock(), store, OneRegion).RunAsync(Run("o1", Now.AddMinutes(3.5)), CancellationToken.None);
        await new Reconciler(scanner, new RecordingSender(), SteppingClock(), store, OneRegion).RunAsync(Run("o2", Now.AddMinutes(1.5)), CancellationToken.None);

        Assert.Equal(new ReconcileCursor("bb", walk[2].Digest), ReconcileCursor.Parse(store.Value, out var savedUnder));
        Assert.Equal(OneRegion.Fingerprint, savedUnder);
        return walk;
    }

    [Fact]
    public async Task A_cursor_saved_under_other_settings_starts_a_new_pass_whose_first_repository_is_compared()
    {
        await using var h = await ReconcileRig.StartAsync();
        var store = new MemoryCursorStore();
        var walk = await StopInsideBbAsync(h, store);

        // A destination region added mid-pass: aa, and bb's first digest, were compared without it.
        var report = await new Reconciler(h.Scanner(), new RecordingSender(), TimeProvider.System, store, RegionAdded).RunAsync(Run("o3"), CancellationToken.None);

        Assert.True(report.Completed);
        Assert.Equal(3, report.Repositories);
        Assert.Equal(walk.Order(), report.Drift.Select(d => (d.Repository, d.Digest)).Order());
        Assert.Contains("settings that decide drift", report.NewPassReason, StringComparison.Ordinal);
        Assert.Contains($"bb@{walk[2].Digest}", report.NewPassReason, StringComparison.Ordinal);
        Assert.Equal(ReconcileCursor.StartValue, store.Value);
    }

    [Fact]
    public async Task A_cursor_saved_under_the_same_settings_resumes_where_it_stopped()
    {
        await using var h = await ReconcileRig.StartAsync();
        var store = new MemoryCursorStore();
        var walk = await StopInsideBbAsync(h, store);

        var report = await new Reconciler(h.Scanner(), new RecordingSender(), TimeProvider.System, store, OneRegion).RunAsync(Run("o3"), CancellationToken.None);

        Assert.True(report.Completed);
        Assert.Equal(2, report.Repositories);
        Assert.Equal(walk.Skip(3).Order(), report.Drift.Select(d => (d.Repository, d.Digest)).Order());
        Assert.Null(report.NewPassReason);
    }

    /// <summary>
    /// The form the previous version saved, REPOSITORY@DIGEST, says nothing of its settings, and the deployment that
    /// brings this version may change them in the same update: one new pass rather than resuming under unknown ones.
    /// </summary>
    [Fact]
    public async Task A_cursor_of_the_previous_version_without_settings_starts_one_new_pass()
    {
        await using var h = await ReconcileRig.StartAsync();
        var walk = await MissingImagesAsync(h, ("aa", 2), ("bb", 2), ("cc", 2));
        var store = new MemoryCursorStore { Value = $"bb@{walk[2].Digest}" };

        var report = await new Reconciler(h.Scanner(), new RecordingSender(), TimeProvider.System, store, OneRegion).RunAsync(Run("legacy"), CancellationToken.None);

        Assert.True(report.Completed);
        Assert.Equal(3, report.Repositories);
        Assert.Equal(walk.Order(), report.Drift.Select(d => (d.Repository, d.Digest)).Order());
        Assert.Contains("earlier version", report.NewPassReason, StringComparison.Ordinal);
        Assert.Equal(ReconcileCursor.StartValue, store.Value);
    }

    [Fact]
    public async Task A_stored_value_that_is_not_a_cursor_starts_a_new_pass_and_says_so()
    {
        await using var h = await ReconcileRig.StartAsync();
        var walk = await MissingImagesAsync(h, ("aa", 1), ("bb", 1));
        var store = new MemoryCursorStore { Value = "not-a-fingerprint;bb" };

        var report = await new Reconciler(h.Scanner(), new RecordingSender(), TimeProvider.System, store, OneRegion).RunAsync(Run("garbage"), CancellationToken.None);

        Assert.Equal(walk.Order(), report.Drift.Select(d => (d.Repository, d.Digest)).Order());
        Assert.Equal("the stored value is not a cursor", report.NewPassReason);
    }

    /// <summary>
    /// Two replicated multi-arch images in one repository, each with a per-platform signature the destination lacks:
    /// with a scanner whose DescribeImages names no subjects, every digest's referrer walk is one ListImageReferrers per
    /// subject (the index and each child), so a walk takes time and a stop time can fall inside it.
    /// </summary>
    /// <summary>
    /// A scanner (no subject listing) that runs <paramref name="act"/> at the second digest's first ListImageReferrers:
    /// the run's deadline arriving in the middle of its walk.
    /// </summary>
    private static DriftScanner AtTheSecondDigest(ReconcileRig h, int perDigest, Action act)
    {
        var calls = 0;
        return h.Scanner(
            (operation, _) =>
            {
                if (operation == "ListImageReferrers" && ++calls == perDigest + 1)
                {
                    act();
                }
            },
            null,
            null,
            withoutSubjects: true);
    }

    private static async Task<(string First, string Second, string FirstSignature, string SecondSignature, int CallsPerDigest)> TwoSignedIndexesAsync(ReconcileRig h, int seed)
    {
        var digests = new List<(string Index, string Signature)>();
        var children = 0;
        foreach (var tag in new[] { "v1", "v2" })
        {
            var builder = new SampleImageBuilder((ulong)(seed + digests.Count));
            var multi = builder.MultiArch(SampleFormat.Oci, [512]);
            await h.PushAsync(ReconcileRig.Source, "walks", multi, tag);
            await h.ReplicateAsync(EventFactory.Serialize(EventFactory.Push(ReconcileRig.Account, ReconcileRig.Source, "walks", multi.Digest, tag, Now)));
            var signature = builder.Artifact(multi.Manifests[0], "application/vnd.dev.cosign.artifact.sig.v1+json", 256);
            await h.PushAsync(ReconcileRig.Source, "walks", signature, null);
            digests.Add((multi.Digest, signature.Digest));
            children = multi.Manifests.Count;
        }

        digests.Sort((a, b) => string.CompareOrdinal(a.Index, b.Index));
        return (digests[0].Index, digests[1].Index, digests[0].Signature, digests[1].Signature, 1 + children);
    }

    [Fact]
    public async Task A_run_whose_clock_passes_the_stop_time_inside_a_referrer_walk_saves_the_last_finished_digest_and_the_next_run_resumes_there()
    {
        await using var h = await ReconcileRig.StartAsync();
        var (first, _, firstSignature, secondSignature, perDigest) = await TwoSignedIndexesAsync(h, 903);
        var clock = new FakeTimeProvider(Now);

        // Each ListImageReferrers takes a minute. The stop time falls inside the second digest's walk: it starts before
        // it (the clock reads perDigest minutes) and would end after it.
        var scanner = h.Scanner(
            (operation, _) =>
            {
                if (operation == "ListImageReferrers")
                {
                    clock.Advance(TimeSpan.FromMinutes(1));
                }
            },
            null,
            null,
            withoutSubjects: true);
        var store = new MemoryCursorStore();
        var sender = new RecordingSender();

        var stopped = await new Reconciler(scanner, sender, clock, store).RunAsync(Run("w1", Now.AddMinutes(perDigest + 0.5)), CancellationToken.None);

        Assert.False(stopped.Completed);
        Assert.Equal(new ReconcileCursor("walks", first), ReconcileCursor.Parse(store.Value));
        Assert.Equal((1, 1), (stopped.DriftFound, stopped.DriftEnqueued));
        Assert.Equal(firstSignature, EcrEventParser.Parse(Assert.Single(sender.Messages).Body).Digest);

        var resumed = await new Reconciler(scanner, sender, clock, store).RunAsync(Run("w2"), CancellationToken.None);

        Assert.True(resumed.Completed);
        Assert.Equal(secondSignature, Assert.Single(resumed.Drift).Digest);
        Assert.Equal([firstSignature, secondSignature], sender.Messages.Select(m => EcrEventParser.Parse(m.Body).Digest!));
    }

    [Fact]
    public async Task A_run_cancelled_by_the_invocation_deadline_inside_a_unit_still_saves_its_cursor_and_writes_its_metrics()
    {
        await using var h = await ReconcileRig.StartAsync();
        var (first, _, firstSignature, secondSignature, perDigest) = await TwoSignedIndexesAsync(h, 905);
        var clock = new FakeTimeProvider(Now);
        var context = new FakeLambdaContext(clock, TimeSpan.FromMinutes(15));

        // The invocation's token, as the runtime loop makes it: cancelled half a second before the deadline.
        using var invocation = new CancellationTokenSource(context.RemainingTime - TimeSpan.FromMilliseconds(500), clock);

        // The second digest's first read outlasts the whole margin (a slow, retried call): the token is cancelled inside
        // it, before the reconciler's own stop time is ever seen past.
        var scanner = AtTheSecondDigest(h, perDigest, () => clock.Advance(TimeSpan.FromMinutes(15)));
        var store = new MemoryCursorStore();
        var sender = new RecordingSender();
        var output = new SynchronizedStringWriter();
        var scheduled = Scheduled(new Reconciler(scanner, sender, clock, store), output, clock);

        var response = await scheduled.RunAsync(new ScheduledEvent { Id = "deadline-1", Account = ReconcileRig.Account }, context, invocation.Token);

        Assert.True(invocation.IsCancellationRequested);
        Assert.False(response.Completed);
        Assert.Equal(new ReconcileCursor("walks", first), ReconcileCursor.Parse(store.Value));
        Assert.Equal(response.Cursor, ReconcileCursor.Parse(store.Value)?.Format());
        Assert.Equal(firstSignature, EcrEventParser.Parse(Assert.Single(sender.Messages).Body).Digest);
        var metrics = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .Single(l => l.TryGetProperty(MetricsWriter.DriftFoundMetric, out _));
        Assert.Equal((1, 1), (metrics.GetProperty(MetricsWriter.DriftFoundMetric).GetInt32(), metrics.GetProperty(MetricsWriter.DriftEnqueuedMetric).GetInt32()));

        // The next run resumes after the finished digest: the one the deadline cut is walked again, and nothing is lost.
        var next = await new Reconciler(scanner, sender, clock, store).RunAsync(Run("deadline-2"), CancellationToken.None);

        Assert.True(next.Completed);
        Assert.Equal([firstSignature, secondSignature], sender.Messages.Select(m => EcrEventParser.Parse(m.Body).Digest!));
    }

    /// <summary>
    /// Cancelled by the deadline with a message still to send, and that last send slow enough to use all its time: the
    /// cursor's save still gets time of its own, so it is saved where the unsent message's unit starts and the next run
    /// queues that message, instead of keeping the cursor of the run before.
    /// </summary>
    [Fact]
    public async Task A_last_send_that_runs_out_of_time_leaves_the_cursor_save_its_own_time()
    {
        await using var h = await ReconcileRig.StartAsync();
        var (_, _, firstSignature, secondSignature, perDigest) = await TwoSignedIndexesAsync(h, 909);
        var clock = new FakeTimeProvider(Now);
        using var invocation = new CancellationTokenSource();
        var scanner = AtTheSecondDigest(h, perDigest, () => invocation.Cancel());
        var store = new MemoryCursorStore { Value = ReconcileCursor.StartValue };

        // Longer than both short windows together: with one window shared by the send and the save, the save would
        // find it spent.
        var slow = new SlowSender(clock, Reconciler.FinalSendTimeout + Reconciler.FinalSaveTimeout + TimeSpan.FromMilliseconds(50));
        var report = await new Reconciler(scanner, slow, clock, store).RunAsync(Run("slow-last-send"), invocation.Token);

        Assert.False(report.Completed);

        // The run's own deadline, not the queue's failure: no send error to log and no refusals to count and alarm on.
        Assert.Null(report.SendError);
        Assert.Empty(report.Refusals);
        Assert.Null(report.CursorFailure);
        Assert.Equal(report.Cursor?.Format(ReconcileSettings.Unnamed), Assert.Single(store.Saved));
        Assert.NotEqual(ReconcileCursor.StartValue, store.Value);

        // The message the slow send did not queue is found and queued by the next run.
        var sender = new RecordingSender();
        var next = await new Reconciler(scanner, sender, clock, store).RunAsync(Run("after-slow"), CancellationToken.None);

        Assert.True(next.Completed);
        Assert.Equal([firstSignature, secondSignature], sender.Messages.Select(m => EcrEventParser.Parse(m.Body).Digest!));
    }

    /// <summary>
    /// Cancelled by the deadline with a message still to send, whose last send then runs out of its short time: that
    /// drift was not queued, and the next run finds it again. The run must not log it as enqueued, and its metrics keep
    /// DriftFound = DriftEnqueued + ReconcileRefused (docs/deploy.md: a send cut short by the run's own deadline is
    /// neither logged nor counted).
    /// </summary>
    [Fact]
    public async Task Drift_a_run_could_not_send_before_its_deadline_is_neither_logged_as_enqueued_nor_counted_as_found()
    {
        await using var h = await ReconcileRig.StartAsync();
        var (_, _, firstSignature, secondSignature, perDigest) = await TwoSignedIndexesAsync(h, 913);
        var clock = new FakeTimeProvider(Now);
        var context = new FakeLambdaContext(clock, TimeSpan.FromMinutes(15));
        using var invocation = new CancellationTokenSource();
        var scanner = AtTheSecondDigest(h, perDigest, () => invocation.Cancel());
        var store = new MemoryCursorStore();
        var slow = new SlowSender(clock, Reconciler.FinalSendTimeout + TimeSpan.FromMilliseconds(50));
        var output = new SynchronizedStringWriter();
        var scheduled = Scheduled(new Reconciler(scanner, slow, clock, store), output, clock);

        var response = await scheduled.RunAsync(new ScheduledEvent { Id = "unsent-1", Account = ReconcileRig.Account }, context, invocation.Token);

        Assert.False(response.Completed);
        Assert.Equal((0, 0, 0), (response.DriftFound, response.DriftEnqueued, response.Refused));
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var metrics = Assert.Single(lines, l => l.TryGetProperty("_aws", out _));
        Assert.Equal(
            metrics.GetProperty(MetricsWriter.DriftEnqueuedMetric).GetInt32() + metrics.GetProperty(MetricsWriter.ReconcileRefusedMetric).GetInt32(),
            metrics.GetProperty(MetricsWriter.DriftFoundMetric).GetInt32());
        Assert.DoesNotContain(lines, l => l.TryGetProperty("message", out var message) && message.GetString()!.EndsWith("enqueued", StringComparison.Ordinal)
            && l.TryGetProperty("digest", out var digest) && digest.GetString() == firstSignature);

        // Found and queued by the next run, and counted there.
        var sender = new RecordingSender();
        var next = await new Reconciler(scanner, sender, clock, store).RunAsync(Run("unsent-2"), CancellationToken.None);

        Assert.True(next.Completed);
        Assert.Equal((2, 2), (next.DriftFound, next.DriftEnqueued));
        Assert.Equal([firstSignature, secondSignature], sender.Messages.Select(m => EcrEventParser.Parse(m.Body).Digest!));
    }

    /// <summary>
    /// SQS fails one entry on its side, and the run's own deadline cancels the pause before its resend: that entry was
    /// not queued, and no refusal of the queue's either. It must go back under the cursor for the next run (as a
    /// batch the deadline cut short does), not be counted in ReconcileRefused (an alarm) and left for the next pass.
    /// </summary>
    [Fact]
    public async Task An_entry_whose_resend_the_runs_deadline_cut_short_is_left_to_the_next_run_not_refused()
    {
        await using var h = await ReconcileRig.StartAsync();
        await h.PushAsync(ReconcileRig.Source, "aa", Unique(SampleFormat.Oci), "v1");
        var flaky = Unique(SampleFormat.Oci);
        await h.PushAsync(ReconcileRig.Source, "flaky", flaky, "v1");
        await using var sqs = await FakeSqsServer.StartAsync();
        sqs.ServerFaultGroups["flaky"] = 1;
        using var invocation = new CancellationTokenSource();
        using var client = new Amazon.SQS.AmazonSQSClient(
            new Amazon.Runtime.BasicAWSCredentials("local", "local"),
            new Amazon.SQS.AmazonSQSConfig { ServiceURL = sqs.Endpoint.AbsoluteUri, AuthenticationRegion = ReconcileRig.Source, MaxErrorRetry = 0 });

        // The deadline's cancellation comes while the sender waits to send the failed entry again.
        var sender = new SqsMessageSender(client, new Uri(sqs.Endpoint, "/000000000000/replication.fifo").AbsoluteUri, new WaitsElapseAtOnceClock(invocation.Cancel), () => 0.5);
        var store = new MemoryCursorStore();

        var report = await new Reconciler(h.Scanner(), sender, new FakeTimeProvider(Now), store).RunAsync(Run("resend-cut"), invocation.Token);

        Assert.True(invocation.IsCancellationRequested);
        Assert.Empty(report.Refusals);
        Assert.False(report.Completed);
        Assert.Equal(new ReconcileCursor("flaky"), ReconcileCursor.Parse(store.Value));
        Assert.Equal((1, 1), (report.DriftFound, report.DriftEnqueued));

        // The next run queues it.
        var next = new RecordingSender();
        var second = await new Reconciler(h.Scanner(), next, new FakeTimeProvider(Now), store).RunAsync(Run("resend-next"), CancellationToken.None);

        Assert.True(second.Completed);
        Assert.Equal(flaky.Digest, EcrEventParser.Parse(Assert.Single(next.Messages).Body).Digest);
    }

    [Fact]
    public async Task A_cursor_that_cannot_be_read_is_a_failure_of_the_run_that_compares_nothing_and_saves_nothing()
    {
        await using var h = await ReconcileRig.StartAsync();
        await TwoSignedIndexesAsync(h, 910);
        var store = new MemoryCursorStore { Value = "kept", LoadFailure = new InvalidOperationException("GetParameter: ThrottlingException: Rate exceeded") };
        var sender = new RecordingSender();

        var report = await new Reconciler(h.Scanner(), sender, new FakeTimeProvider(Now), store).RunAsync(Run("cursor-unread"), CancellationToken.None);

        Assert.False(report.Completed);
        Assert.Equal(1, report.FailureCount);
        Assert.StartsWith("(cursor): InvalidOperationException: GetParameter: ThrottlingException", Assert.Single(report.Failures).Reason, StringComparison.Ordinal);
        Assert.Equal(0, report.Repositories);
        Assert.Empty(sender.Messages);
        Assert.Empty(store.Saved);
        Assert.Equal("kept", store.Value);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_run_cancelled_while_it_lists_the_registry_is_not_complete_and_leaves_the_cursor_where_it_was(bool midPass)
    {
        var cursor = midPass ? new ReconcileCursor("middle").Format(ReconcileSettings.Unnamed) : null;
        await using var h = await ReconcileRig.StartAsync();
        await h.PushAsync(ReconcileRig.Source, "middle", new SampleImageBuilder(seed: 907).Image(SampleFormat.Oci, [100]), "v1");
        using var invocation = new CancellationTokenSource();
        var scanner = h.Scanner((operation, _) =>
        {
            if (operation == "DescribeRepositories")
            {
                invocation.Cancel();
            }
        });
        var store = new MemoryCursorStore { Value = cursor };
        var sender = new RecordingSender();

        var report = await new Reconciler(scanner, sender, new FakeTimeProvider(Now), store).RunAsync(Run("listing-cut"), invocation.Token);

        Assert.False(report.Completed);
        Assert.Equal(0, report.Repositories);
        Assert.Empty(sender.Messages);
        Assert.Equal(cursor ?? ReconcileCursor.StartValue, Assert.Single(store.Saved));
    }

    [Fact]
    public async Task Deletes_are_enqueued_only_when_replicated_and_only_for_tags_the_source_no_longer_has()
    {
        await using var h = await ReconcileRig.StartAsync();
        var kept = Unique(SampleFormat.Oci);
        var gone = Unique(SampleFormat.Oci);
        await h.PushAsync(ReconcileRig.Source, "app", kept, "v1");
        await h.PushAsync(ReconcileRig.West, "app", kept, "v1");
        await h.PushAsync(ReconcileRig.West, "app", gone, "v0");

        var pushesOnly = new RecordingSender();
        await new Reconciler(h.Scanner(), pushesOnly, TimeProvider.System).RunAsync(Run("p"), CancellationToken.None);
        Assert.Empty(pushesOnly.Messages);

        var deletes = new RecordingSender();
        var report = await new Reconciler(h.Scanner(new DriftSelection { ReplicateDeletes = true }), deletes, TimeProvider.System).RunAsync(Run("d"), CancellationToken.None);

        var message = Assert.Single(deletes.Messages);
        var action = EcrEventParser.Parse(message.Body);
        Assert.Equal((ImageAction.Delete, "app", gone.Digest, "v0"), (action.ActionType, action.RepositoryName, action.Digest!, action.Tag));
        Assert.Equal(DriftKind.DeletedTag, Assert.Single(report.Drift).Kind);

        // The function's delete removes it; the next run finds nothing.
        await h.ReplicateAsync(message.Body);
        var after = new RecordingSender();
        await new Reconciler(h.Scanner(new DriftSelection { ReplicateDeletes = true }), after, TimeProvider.System).RunAsync(Run("d2"), CancellationToken.None);
        Assert.Empty(after.Messages);
    }

    /// <summary>
    /// Repository "renamed": an image replicated under tag "old", then tagged "new" and untagged "old" in the source,
    /// with neither event delivered.
    /// </summary>
    private static async Task<SampleImage> RenamedWhileEventsWereLostAsync(ReconcileRig h)
    {
        var image = Unique(SampleFormat.Oci);
        await h.PushAsync(ReconcileRig.Source, "renamed", image, "old");
        await h.ReplicateAsync(EventFactory.Serialize(EventFactory.Push(ReconcileRig.Account, ReconcileRig.Source, "renamed", image.Digest, "old", Now)));
        await h.PushAsync(ReconcileRig.Source, "renamed", image, "new");
        await h.Client(ReconcileRig.Source).BatchDeleteImageAsync(
            new BatchDeleteImageRequest { RepositoryName = "renamed", ImageIds = [new ImageIdentifier { ImageTag = "old" }] }, CancellationToken.None);
        return image;
    }

    /// <summary>
    /// A tag renamed in the source (the image tagged anew, its old tag removed) while the events were lost: ECR's own
    /// events come PUSH first, then DELETE, and the destination image keeps a tag throughout. The reconciler's events,
    /// in the repository's message group, must keep that order: a DELETE first removes the destination image's last
    /// tag, which deletes the image there until the PUSH copies it again.
    /// </summary>
    [Fact]
    public async Task A_tag_renamed_in_the_source_moves_in_the_destination_without_the_image_ever_being_deleted_there()
    {
        await using var h = await ReconcileRig.StartAsync();
        var image = await RenamedWhileEventsWereLostAsync(h);
        var sender = new RecordingSender();

        var report = await new Reconciler(h.Scanner(new DriftSelection { ReplicateDeletes = true }), sender, TimeProvider.System).RunAsync(Run("renamed"), CancellationToken.None);

        Assert.Equal(2, report.DriftFound);
        var probe = new RegistryProbe(h.Client(ReconcileRig.West));
        foreach (var message in sender.Messages)
        {
            // The function takes a group's messages in the order they were sent.
            await h.ReplicateAsync(message.Body);
            Assert.NotNull(await probe.GetImageAsync("renamed", image.Digest));
        }

        Assert.Equal(image.Digest, await probe.TagDigestAsync("renamed", "new"));
        Assert.Null(await probe.TagDigestAsync("renamed", "old"));
    }

    /// <summary>
    /// The same rename, with SQS failing the PUSH on its side (<c>SenderFault</c> false) while it queues the DELETE sent
    /// beside it in one SendMessageBatch: the sender sends the PUSH again, and it lands after the DELETE in the group
    /// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html: "The result of
    /// sending each message is reported individually"). The deletes must therefore go in a batch of their own, once the
    /// repository's pushes before them are queued, or the DELETE again removes the destination image's last tag first.
    /// </summary>
    [Fact]
    public async Task A_tag_renamed_in_the_source_keeps_push_before_delete_when_SQS_fails_the_push_beside_the_delete()
    {
        await using var h = await ReconcileRig.StartAsync();
        var image = await RenamedWhileEventsWereLostAsync(h);
        await using var sqs = await FakeSqsServer.StartAsync();
        sqs.ServerFaultGroups[MessageGroupIds.For("renamed")] = 1;
        using var client = new Amazon.SQS.AmazonSQSClient(
            new Amazon.Runtime.BasicAWSCredentials("local", "local"),
            new Amazon.SQS.AmazonSQSConfig { ServiceURL = sqs.Endpoint.AbsoluteUri, AuthenticationRegion = ReconcileRig.Source, MaxErrorRetry = 0 });
        var sender = new SqsMessageSender(client, new Uri(sqs.Endpoint, "/000000000000/replication.fifo").AbsoluteUri, new WaitsElapseAtOnceClock(), () => 0.5);

        var report = await new Reconciler(h.Scanner(new DriftSelection { ReplicateDeletes = true }), sender, TimeProvider.System).RunAsync(Run("renamed-flaky"), CancellationToken.None);

        Assert.Equal((2, 2), (report.DriftFound, report.DriftEnqueued));
        Assert.Empty(report.Refusals);
        var probe = new RegistryProbe(h.Client(ReconcileRig.West));
        var queued = sqs.Queued.ToList();
        Assert.Equal(2, queued.Count);
        foreach (var (_, body) in queued)
        {
            // The function takes a group's messages in the order SQS queued them.
            await h.ReplicateAsync(body);
            Assert.NotNull(await probe.GetImageAsync("renamed", image.Digest));
        }

        Assert.Equal(image.Digest, await probe.TagDigestAsync("renamed", "new"));
        Assert.Null(await probe.TagDigestAsync("renamed", "old"));
    }

    /// <summary>
    /// With deletes replicated, a source listing that fails part way must not read as "the source lacks the tags of the
    /// pages it did not get": the repository is reported, and no DELETE is sent for any of its tags.
    /// </summary>
    [Fact]
    public async Task A_source_listing_that_fails_after_its_first_page_sends_no_delete()
    {
        await using var h = await ReconcileRig.StartAsync();
        for (var i = 0; i < 5; i++)
        {
            var image = Unique(SampleFormat.Oci);
            await h.PushAsync(ReconcileRig.Source, "paged", image, $"v{i}");
            await h.PushAsync(ReconcileRig.West, "paged", image, $"v{i}");
        }

        var describeImages = 0;
        var scanner = h.Scanner(
            (operation, _) =>
            {
                // From the second listing page on, the source refuses (a refusal is not retried).
                if (operation == "DescribeImages" && ++describeImages == 2)
                {
                    h.Server.Faults.FailNext("DescribeImages", 1, "AccessDeniedException", 400, region: ReconcileRig.Source);
                }
            },
            new DriftSelection { ReplicateDeletes = true },
            new DriftScanPaging { PageSize = 2, ReferrersPageSize = 2 });
        var sender = new RecordingSender();

        var report = await new Reconciler(scanner, sender, TimeProvider.System).RunAsync(Run("partial"), CancellationToken.None);

        Assert.StartsWith("paged: ", Assert.Single(report.Failures).Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(sender.Messages, m => EcrEventParser.Parse(m.Body).ActionType == ImageAction.Delete);
        Assert.Equal(0, h.Server.Calls.Count(ReconcileRig.West, "BatchDeleteImage"));
    }

    [Fact]
    public async Task An_archived_source_image_is_neither_pushed_nor_taken_for_a_deleted_one()
    {
        await using var h = await ReconcileRig.StartAsync();
        var held = Unique(SampleFormat.Oci);
        var never = Unique(SampleFormat.Oci);
        await h.PushAsync(ReconcileRig.Source, "cold", held, "v1");
        await h.PushAsync(ReconcileRig.West, "cold", held, "v1");
        await h.PushAsync(ReconcileRig.Source, "cold", never, "v2");
        await EcrArchiver.ArchiveAsync(h.Http, h.Server.BaseAddress, ReconcileRig.Source, "cold", held.Digest);
        await EcrArchiver.ArchiveAsync(h.Http, h.Server.BaseAddress, ReconcileRig.Source, "cold", never.Digest);

        var sender = new RecordingSender();
        var report = await new Reconciler(h.Scanner(new DriftSelection { ReplicateDeletes = true }), sender, TimeProvider.System).RunAsync(Run("a"), CancellationToken.None);

        // v1 stays in the destination (the source still has it, archived); v2 cannot be pulled, so it is not pushed.
        Assert.Equal(0, report.DriftFound);
        Assert.Empty(sender.Messages);
    }

    [Fact]
    public async Task A_registry_that_cannot_be_listed_is_a_reported_failure_and_the_cursor_is_kept()
    {
        await using var h = await ReconcileRig.StartAsync();
        await h.PushAsync(ReconcileRig.Source, "bb", Unique(SampleFormat.Oci), "v1");
        h.Server.Faults.FailNext("DescribeRepositories", 1, "AccessDeniedException", 400, region: ReconcileRig.Source);
        var resume = new ReconcileCursor("bb").Format(ReconcileSettings.Unnamed);
        var store = new MemoryCursorStore { Value = resume };
        var sender = new RecordingSender();

        var report = await new Reconciler(h.Scanner(), sender, TimeProvider.System, store).RunAsync(Run("l"), CancellationToken.None);

        Assert.False(report.Completed);
        var failure = Assert.Single(report.Failures).Reason;
        Assert.StartsWith("(registry): DescribeRepositories: ", failure, StringComparison.Ordinal);
        Assert.Contains("AccessDenied", failure, StringComparison.Ordinal);
        Assert.Equal(1, report.FailureCount);
        Assert.Empty(sender.Messages);
        Assert.Equal(resume, store.Value);
    }

    [Fact]
    public async Task A_repository_that_cannot_be_read_is_reported_and_the_pass_goes_on()
    {
        await using var h = await ReconcileRig.StartAsync();
        var b = Unique(SampleFormat.Oci);
        await h.PushAsync(ReconcileRig.Source, "aa", Unique(SampleFormat.Oci), "v1");
        await h.PushAsync(ReconcileRig.Source, "bb", b, "v1");

        // The destination refuses the first listing (repository aa, walked first); a refusal is not retried.
        h.Server.Faults.FailNext("DescribeImages", 1, "AccessDeniedException", 400, region: ReconcileRig.West);
        var sender = new RecordingSender();
        var store = new MemoryCursorStore();
        var report = await new Reconciler(h.Scanner(), sender, TimeProvider.System, store).RunAsync(Run("f"), CancellationToken.None);

        Assert.True(report.Completed);
        var failure = Assert.Single(report.Failures).Reason;
        Assert.StartsWith("aa: ", failure, StringComparison.Ordinal);
        Assert.Contains("AccessDenied", failure, StringComparison.Ordinal);
        Assert.Equal(("bb", b.Digest), Assert.Single(sender.Messages.Select(m => EcrEventParser.Parse(m.Body)).Select(a => (a.RepositoryName, a.Digest!))));
        Assert.Equal(ReconcileCursor.StartValue, store.Value);
    }

    [Fact]
    public async Task A_destination_whose_role_is_refused_is_reported_once_its_role_is_tried_once_a_run_and_the_other_destinations_drift_is_enqueued()
    {
        // 999999999999 is not an account LocalEcr serves: STS refuses its role, as AWS does before a StackSet creates it.
        var broken = new ReplicationDestination(ReconcileRig.Europe, "999999999999");
        ReplicationDestination[] destinations = [new(ReconcileRig.West), broken];
        await using var h = await ReconcileRig.StartAsync();
        var a = Unique(SampleFormat.Oci);
        var b = Unique(SampleFormat.Oci);
        await h.PushAsync(ReconcileRig.Source, "aa", a, "v1");
        await h.PushAsync(ReconcileRig.Source, "bb", b, "v1");
        var scanner = h.ScannerWithAccess(destinations);

        var sender = new RecordingSender();
        var report = await new Reconciler(scanner, sender, TimeProvider.System).RunAsync(Run("r1"), CancellationToken.None);

        Assert.True(report.Completed);
        Assert.Equal(2, report.Repositories);
        Assert.Equal(
            [("aa", a.Digest), ("bb", b.Digest)],
            report.Drift.Select(d => (d.Repository, d.Digest)));
        Assert.All(report.Drift, d => Assert.Equal([destinations[0]], d.Destinations));
        Assert.Equal(2, report.DriftEnqueued);
        var failure = Assert.Single(report.Failures).Reason;
        Assert.StartsWith($"aa: destination {broken} not compared: ", failure, StringComparison.Ordinal);
        Assert.Contains("could not assume role arn:aws:iam::999999999999:role/ecr-replicator-destination: AccessDenied", failure, StringComparison.Ordinal);
        Assert.Equal(1, h.Server.Calls.Count("sts:AssumeRole"));

        // The next run tries the role again, once.
        var next = await new Reconciler(scanner, new RecordingSender(), TimeProvider.System).RunAsync(Run("r2"), CancellationToken.None);
        Assert.Single(next.Failures);
        Assert.Equal(2, h.Server.Calls.Count("sts:AssumeRole"));
    }

    [Theory]
    [InlineData(ReconcileRig.Account)]
    [InlineData(null)]
    public async Task An_empty_repository_with_a_destination_named_by_the_replicators_own_account_is_listed_with_its_own_credentials(string? runAccount)
    {
        // ACCOUNT:REGION of the replicator's own account: its own credentials, never a role (none is granted there).
        // The source lists no image to name the account; the run's (the scheduled event's) does, else DescribeRepositories.
        ReplicationDestination[] destinations = [new(ReconcileRig.West, ReconcileRig.Account)];
        await using var h = await ReconcileRig.StartAsync();
        var gone = Unique(SampleFormat.Oci);
        await h.Client(ReconcileRig.Source).CreateRepositoryAsync(new CreateRepositoryRequest { RepositoryName = "emptied" });
        await h.PushAsync(ReconcileRig.West, "emptied", gone, "v0");

        var sender = new RecordingSender();
        var run = new ReconcileRun { Account = runAccount, Region = ReconcileRig.Source, RunId = "own", Time = Now };
        var report = await new Reconciler(h.ScannerWithAccess(destinations, new DriftSelection { ReplicateDeletes = true }), sender, TimeProvider.System).RunAsync(run, CancellationToken.None);

        Assert.Empty(report.Failures);
        var item = Assert.Single(report.Drift);
        Assert.Equal((DriftKind.DeletedTag, "emptied", gone.Digest, "v0"), (item.Kind, item.Repository, item.Digest, item.Tag!));
        var action = EcrEventParser.Parse(Assert.Single(sender.Messages).Body);
        Assert.Equal((ImageAction.Delete, ReconcileRig.Account), (action.ActionType, action.Account));
        Assert.Equal(0, h.Server.Calls.Count("sts:AssumeRole"));
    }

    /// <summary>One tagged image a repository, each missing in the destination: one drift, one message per digest.</summary>
    private static async Task<List<(string Repository, string Digest)>> MissingImagesAsync(ReconcileRig h, params (string Repository, int Count)[] repositories)
    {
        var walk = new List<(string, string)>();
        foreach (var (repository, count) in repositories)
        {
            for (var i = 0; i < count; i++)
            {
                var image = Unique(SampleFormat.Oci);
                await h.PushAsync(ReconcileRig.Source, repository, image, $"v{i}");
                walk.Add((repository, image.Digest));
            }
        }

        // The reconciler's walk order: repositories, then digests, in ordinal order.
        return [.. walk.OrderBy(w => w.Item1, StringComparer.Ordinal).ThenBy(w => w.Item2, StringComparer.Ordinal)];
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_batch_that_cannot_be_sent_stops_the_run_at_its_first_message_blames_no_repository_and_the_next_run_sends_the_rest(int failingCall)
    {
        await using var h = await ReconcileRig.StartAsync();
        var walk = await MissingImagesAsync(h, ("aa", 9), ("bb", 8), ("cc", 8));
        var store = new MemoryCursorStore();
        var sender = new RecordingSender { FailCalls = { failingCall } };
        var scanner = h.Scanner();

        var first = await new Reconciler(scanner, sender, TimeProvider.System, store).RunAsync(Run("s1"), CancellationToken.None);

        // The batches before the failing one were queued; the failing one and everything after it were not.
        var queued = (failingCall - 1) * Reconciler.BatchSize;
        Assert.False(first.Completed);
        Assert.Empty(first.Failures);
        Assert.Contains("HttpRequestException", Assert.Single(first.SendFailures), StringComparison.Ordinal);
        Assert.Equal(queued, first.DriftEnqueued);
        Assert.Equal(first.DriftFound - queued, first.Refusals.Count);
        Assert.All(first.Refusals, r => Assert.StartsWith("not sent: HttpRequestException", r.Reason, StringComparison.Ordinal));

        // The cursor is the unit of the first message not sent: its repository, after the digest before it there.
        var (repository, digest) = walk[queued];
        var before = walk.Take(queued).LastOrDefault(w => w.Repository == repository).Digest;
        Assert.Equal(new ReconcileCursor(repository, before), ReconcileCursor.Parse(store.Value));
        Assert.Equal(first.Cursor, ReconcileCursor.Parse(store.Value));
        Assert.Equal(digest, first.Refusals[0].Item.Digest);

        var second = await new Reconciler(scanner, sender, TimeProvider.System, store).RunAsync(Run("s2"), CancellationToken.None);

        Assert.True(second.Completed);
        Assert.Empty(second.SendFailures);
        Assert.Equal(ReconcileCursor.StartValue, store.Value);

        // Never more than SQS's 10 a batch, and over both runs every image was queued exactly once.
        Assert.All(sender.Attempts, n => Assert.InRange(n, 1, Reconciler.BatchSize));
        var sent = sender.Messages.Select(m => EcrEventParser.Parse(m.Body)).Select(a => (a.RepositoryName, a.Digest!)).ToList();
        Assert.Equal(walk.Order(), sent.Order());
    }

    [Fact]
    public async Task A_cursor_that_cannot_be_saved_is_reported_by_the_run_and_blames_no_repository()
    {
        await using var h = await ReconcileRig.StartAsync();
        await MissingImagesAsync(h, ("aa", 2), ("bb", 2), ("cc", 2));
        var store = new MemoryCursorStore { SaveFailure = new HttpRequestException("SSM refused (test)") };
        var sender = new RecordingSender();

        // As in the deadline test: the stop comes inside bb, before its first digest.
        var report = await new Reconciler(h.Scanner(), sender, SteppingClock(), store).RunAsync(Run("c1", Now.AddMinutes(3.5)), CancellationToken.None);

        Assert.False(report.Completed);
        Assert.Equal(new ReconcileCursor("bb"), report.Cursor);
        Assert.Contains("SSM refused", report.CursorFailure, StringComparison.Ordinal);
        Assert.Empty(report.Failures);
        Assert.Equal(2, report.DriftEnqueued);
        Assert.Equal(["aa", "aa"], sender.Messages.Select(m => EcrEventParser.Parse(m.Body).RepositoryName));
    }

    [Fact]
    public async Task Pages_of_two_walk_every_listing_to_its_end_and_a_stop_between_two_pages_leaves_the_cursor_at_the_repository()
    {
        await using var h = await ReconcileRig.StartAsync();
        var builder = new SampleImageBuilder(seed: 907);
        var expected = new List<(string, string, DriftKind)>();
        foreach (var repository in new[] { "p0", "p1", "p2", "p3", "p4" })
        {
            for (var i = 0; i < 7; i++)
            {
                var image = Unique(SampleFormat.Oci);
                await h.PushAsync(ReconcileRig.Source, repository, image, $"v{i}");
                if (i >= 5)
                {
                    expected.Add((repository, image.Digest, DriftKind.MissingTag));
                    continue;
                }

                // Held by the destination; the first has three signatures it lacks (two referrer pages), the second one.
                await h.PushAsync(ReconcileRig.West, repository, image, $"v{i}");
                for (var r = 0; r < (i == 0 ? 3 : i == 1 ? 1 : 0); r++)
                {
                    var signature = builder.Artifact(image.Root, "application/vnd.dev.cosign.artifact.sig.v1+json", 100 + r);
                    await h.PushAsync(ReconcileRig.Source, repository, signature, null);
                    expected.Add((repository, signature.Digest, DriftKind.MissingReferrer));
                }
            }
        }

        var paging = new DriftScanPaging { PageSize = 2, ReferrersPageSize = 2 };
        var calls = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var whole = await new Reconciler(h.Scanner((operation, _) => calls.AddOrUpdate(operation, 1, (_, n) => n + 1), null, paging), new RecordingSender(), TimeProvider.System)
            .RunAsync(Run("pages"), CancellationToken.None);

        Assert.Equal(expected.Order(), whole.Drift.Select(d => (d.Repository, d.Digest, d.Kind)).Order());
        Assert.Equal(expected.Count, whole.DriftEnqueued);

        // Five names in pages of two: 3 DescribeRepositories; per repository 6 source pages (7 tagged images and 4
        // signatures, whose subjectManifestDigest names their subjects) and 3 destination pages (5 images); no
        // ListImageReferrers.
        Assert.Equal(3, calls["DescribeRepositories"]);
        Assert.Equal(5 * (6 + 3), calls["DescribeImages"]);
        Assert.False(calls.ContainsKey("ListImageReferrers"));

        // Where the listing names no subjects: the same drift, and per held digest one ListImageReferrers page, two for
        // the one with three signatures.
        calls.Clear();
        var asked = await new Reconciler(h.Scanner((operation, _) => calls.AddOrUpdate(operation, 1, (_, n) => n + 1), null, paging, withoutSubjects: true), new RecordingSender(), TimeProvider.System)
            .RunAsync(Run("pages-asked"), CancellationToken.None);
        Assert.Equal(expected.Order(), asked.Drift.Select(d => (d.Repository, d.Digest, d.Kind)).Order());
        Assert.Equal(5 * (5 + 1), calls["ListImageReferrers"]);

        // Again, stopping after the first source page of p2 (the 19th DescribeImages: 9 for each of p0 and p1).
        var clock = new FakeTimeProvider(Now);
        var describeImages = 0;
        var scanner = h.Scanner(
            (operation, _) =>
            {
                if (operation == "DescribeImages" && ++describeImages == 19)
                {
                    clock.Advance(TimeSpan.FromHours(1));
                }
            },
            null,
            paging);
        var store = new MemoryCursorStore();
        var sender = new RecordingSender();

        var stopped = await new Reconciler(scanner, sender, clock, store).RunAsync(Run("p-1", Now.AddMinutes(30)), CancellationToken.None);

        Assert.False(stopped.Completed);
        Assert.Equal(new ReconcileCursor("p2"), ReconcileCursor.Parse(store.Value));
        Assert.Equal(expected.Where(e => e.Item1 is "p0" or "p1").Order(), stopped.Drift.Select(d => (d.Repository, d.Digest, d.Kind)).Order());

        var resumed = await new Reconciler(scanner, sender, clock, store).RunAsync(Run("p-2"), CancellationToken.None);

        Assert.True(resumed.Completed);
        Assert.Equal(expected.Select(e => (e.Item1, e.Item2)).Order(), sender.Messages.Select(m => EcrEventParser.Parse(m.Body)).Select(a => (a.RepositoryName, a.Digest!)).Order());
    }

    [Fact]
    public async Task A_referrer_listing_whose_server_repeats_its_token_fails_the_repository_rather_than_ending_as_if_complete()
    {
        await using var h = await ReconcileRig.StartAsync();
        var builder = new SampleImageBuilder(seed: 908);
        var image = Unique(SampleFormat.Oci);
        await h.PushAsync(ReconcileRig.Source, "echo", image, "v1");
        await h.PushAsync(ReconcileRig.West, "echo", image, "v1");
        for (var r = 0; r < 3; r++)
        {
            await h.PushAsync(ReconcileRig.Source, "echo", builder.Artifact(image.Root, "application/vnd.dev.cosign.artifact.sig.v1+json", 100 + r), null);
        }

        // Pages of two: the second page answers the token it was sent, so the listing cannot be known to be complete.
        var scanner = h.ScannerRepeatingTokens("ListImageReferrers", null, new DriftScanPaging { ReferrersPageSize = 2 }, withoutSubjects: true);
        var report = await new Reconciler(scanner, new RecordingSender(), TimeProvider.System).RunAsync(Run("echo"), CancellationToken.None);

        var failure = Assert.Single(report.Failures).Reason;
        Assert.StartsWith("echo: ", failure, StringComparison.Ordinal);
        Assert.Contains("nextToken", failure, StringComparison.Ordinal);
        Assert.Empty(report.Drift);
    }

    [Fact]
    public async Task A_repository_whose_referrers_the_source_will_not_list_is_reported_once_and_every_digest_of_it_is_compared()
    {
        // A pull-through cache repository whose upstream cannot list referrers answers
        // UnableToListUpstreamImageReferrersException (botocore's ECR model) on every pass. Before, the first held
        // digest failed the repository, and the digests after it were never compared, pass after pass.
        await using var h = await ReconcileRig.StartAsync();
        var builder = new SampleImageBuilder(seed: 909);
        foreach (var tag in new[] { "v1", "v2" })
        {
            var held = Unique(SampleFormat.Oci);
            await h.PushAsync(ReconcileRig.Source, "cached", held, tag);
            await h.PushAsync(ReconcileRig.West, "cached", held, tag);
            await h.PushAsync(ReconcileRig.Source, "cached", builder.Artifact(held.Root, "application/vnd.dev.cosign.artifact.sig.v1+json", 100), null);
        }

        var lost = Unique(SampleFormat.Oci);
        await h.PushAsync(ReconcileRig.Source, "cached", lost, "v3");
        h.Server.Faults.FailNext("ListImageReferrers", 1000, "UnableToListUpstreamImageReferrersException", 400, region: ReconcileRig.Source);
        var sender = new RecordingSender();
        var scanner = h.Scanner((_, _) => { }, null, null, withoutSubjects: true);

        var report = await new Reconciler(scanner, sender, TimeProvider.System).RunAsync(Run("unlisted"), CancellationToken.None);

        Assert.True(report.Completed);
        var failure = Assert.Single(report.Failures).Reason;
        Assert.StartsWith("cached: the referrers of 2 image(s), which the source would not list (", failure, StringComparison.Ordinal);
        Assert.Contains("UnableToListUpstreamImageReferrersException", failure, StringComparison.Ordinal);
        Assert.Equal(("cached", lost.Digest, "v3"), Assert.Single(sender.Messages.Select(m => EcrEventParser.Parse(m.Body)).Select(a => (a.RepositoryName, a.Digest!, a.Tag!))));
    }

    [Fact]
    public async Task Failed_repositories_and_refused_events_are_metrics_of_the_runs_EMF_document_and_a_refused_drift_is_logged_by_image()
    {
        await using var h = await ReconcileRig.StartAsync();
        var refused = Unique(SampleFormat.Oci);
        var queued = Unique(SampleFormat.Oci);
        await h.PushAsync(ReconcileRig.Source, "aa", Unique(SampleFormat.Oci), "v1");
        await h.PushAsync(ReconcileRig.Source, "bb", refused, "v1");
        await h.PushAsync(ReconcileRig.Source, "bb", queued, "v2");

        // The destination refuses aa's listing; the queue refuses bb:v1's event.
        h.Server.Faults.FailNext("DescribeImages", 1, "AccessDeniedException", 400, region: ReconcileRig.West);
        var sender = new RecordingSender { Refuse = m => EcrEventParser.Parse(m.Body).Digest == refused.Digest };
        var clock = new FakeTimeProvider(Now);
        var store = new MemoryCursorStore();
        var output = new SynchronizedStringWriter();
        var scheduled = Scheduled(new Reconciler(h.Scanner(), sender, clock, store), output, clock);

        var response = await scheduled.RunAsync(new ScheduledEvent { Id = "metrics-1", Account = ReconcileRig.Account }, new FakeLambdaContext(clock, TimeSpan.FromMinutes(15)), CancellationToken.None);

        // The pass still ends and starts over: the next pass walks aa again, as it would any repository.
        Assert.True(response.Completed);
        Assert.Equal(ReconcileCursor.StartValue, store.Value);
        Assert.Equal((2, 1, 1, 1), (response.DriftFound, response.DriftEnqueued, response.Failures, response.Refused));
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var metrics = Assert.Single(lines, l => l.TryGetProperty("_aws", out _));
        Assert.Equal(
            (2, 1, 1, 1),
            (metrics.GetProperty(MetricsWriter.DriftFoundMetric).GetInt32(), metrics.GetProperty(MetricsWriter.DriftEnqueuedMetric).GetInt32(),
                metrics.GetProperty(MetricsWriter.ReconcileFailuresMetric).GetInt32(), metrics.GetProperty(MetricsWriter.ReconcileRefusedMetric).GetInt32()));

        string Field(JsonElement line, string name) => line.TryGetProperty(name, out var value) ? value.GetString()! : string.Empty;
        var refusedLine = Assert.Single(lines, l => Field(l, "digest") == refused.Digest);
        Assert.Equal(("bb", "v1", LogOutcomes.Failed, "WARN"), (Field(refusedLine, "repository"), Field(refusedLine, "tag"), Field(refusedLine, "outcome"), Field(refusedLine, "level")));
        Assert.Contains("not enqueued: InvalidParameterValue", Field(refusedLine, "message"), StringComparison.Ordinal);
        var queuedLine = Assert.Single(lines, l => Field(l, "digest") == queued.Digest);
        Assert.Equal(LogOutcomes.Drift, Field(queuedLine, "outcome"));
        Assert.EndsWith("event enqueued", Field(queuedLine, "message"), StringComparison.Ordinal);

        // The repository the pass could not compare is a field of its line, as on every other line about a repository.
        var skipped = Assert.Single(lines, l => Field(l, "message").StartsWith("Reconcile: not compared this pass: aa: ", StringComparison.Ordinal));
        Assert.Equal(("aa", LogOutcomes.Failed, "ERROR"), (Field(skipped, "repository"), Field(skipped, "outcome"), Field(skipped, "level")));
    }

    /// <summary>
    /// A destination the run could not list for a repository is logged with the repository and the destination's region
    /// as fields (docs/deploy.md, "Observability": a line carries them where they apply), not only in its text: a Logs
    /// Insights filter on the repository or on destinationRegion finds why the pass left that destination uncompared.
    /// A failure of the run as a whole (the registry's listing) names no repository.
    /// </summary>
    [Fact]
    public async Task A_destination_or_repository_the_run_could_not_compare_is_logged_with_them_as_fields()
    {
        var broken = new ReplicationDestination(ReconcileRig.Europe, "999999999999");
        ReplicationDestination[] destinations = [new(ReconcileRig.West), broken];
        await using var h = await ReconcileRig.StartAsync();
        await h.PushAsync(ReconcileRig.Source, "aa", Unique(SampleFormat.Oci), "v1");
        var clock = new FakeTimeProvider(Now);
        var output = new SynchronizedStringWriter();
        var scheduled = Scheduled(new Reconciler(h.ScannerWithAccess(destinations), new RecordingSender(), clock), output, clock, destinations);

        await scheduled.RunAsync(new ScheduledEvent { Id = "fields-1", Account = ReconcileRig.Account }, new FakeLambdaContext(clock, TimeSpan.FromMinutes(15)), CancellationToken.None);
        h.Server.Faults.FailNext("DescribeRepositories", 1, "AccessDeniedException", 400, region: ReconcileRig.Source);
        await scheduled.RunAsync(new ScheduledEvent { Id = "fields-2", Account = ReconcileRig.Account }, new FakeLambdaContext(clock, TimeSpan.FromMinutes(15)), CancellationToken.None);

        var skipped = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(l => l.TryGetProperty("message", out var m) && m.GetString()!.StartsWith("Reconcile: not compared this pass", StringComparison.Ordinal))
            .Select(l => (Field(l, "repository"), Field(l, "destinationRegion"), Field(l, "outcome")))
            .ToList();
        Assert.Equal([("aa", ReconcileRig.Europe, LogOutcomes.Failed), (string.Empty, string.Empty, LogOutcomes.Failed)], skipped);

        static string Field(JsonElement line, string name) => line.TryGetProperty(name, out var value) ? value.GetString()! : string.Empty;
    }

    [Fact]
    public async Task A_scheduled_run_whose_cursor_cannot_be_saved_writes_its_metrics_then_fails_the_invocation()
    {
        await using var h = await ReconcileRig.StartAsync();
        await h.PushAsync(ReconcileRig.Source, "aa", Unique(SampleFormat.Oci), "v1");
        var clock = new FakeTimeProvider(Now);
        var output = new SynchronizedStringWriter();
        var store = new MemoryCursorStore { SaveFailure = new HttpRequestException("SSM refused (test)") };
        var scheduled = Scheduled(new Reconciler(h.Scanner(), new RecordingSender(), clock, store), output, clock);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            scheduled.RunAsync(new ScheduledEvent { Id = "cursor-1", Account = ReconcileRig.Account }, new FakeLambdaContext(clock, TimeSpan.FromMinutes(15)), CancellationToken.None));

        Assert.Contains("SSM refused", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"DriftEnqueued\":1", output.ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A scheduled run whose queue cannot be sent to (deleted, its policy changed, unreachable) says so in one ERROR line
    /// with the cause, outcome Failed and the invocation's request id: the line the runbook's Logs Insights query for
    /// failed lines finds. The drift it found is logged as not enqueued, and the answer says the pass stopped, rather
    /// than the run reading as a pass that queued nothing.
    /// </summary>
    [Fact]
    public async Task A_scheduled_run_whose_queue_fails_logs_one_error_line_with_the_cause()
    {
        await using var h = await ReconcileRig.StartAsync();
        await h.PushAsync(ReconcileRig.Source, "aa", Unique(SampleFormat.Oci), "v1");
        var clock = new FakeTimeProvider(Now);
        var output = new SynchronizedStringWriter();
        var scheduled = Scheduled(new Reconciler(h.Scanner(), new RecordingSender { FailCalls = { 1 } }, clock), output, clock);
        var context = new FakeLambdaContext(clock, TimeSpan.FromMinutes(15));

        var response = await scheduled.RunAsync(new ScheduledEvent { Id = "queue-1", Account = ReconcileRig.Account }, context, CancellationToken.None);

        Assert.False(response.Completed);
        Assert.Equal((1, 0, 1), (response.DriftFound, response.DriftEnqueued, response.Refused));
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(l => l.TryGetProperty("level", out _)).ToList();
        var error = Assert.Single(lines, l => l.GetProperty("level").GetString() == "ERROR");
        Assert.StartsWith("Reconcile: the queue could not be sent to; the run stopped there: ", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("the queue could not be reached (test)", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(LogOutcomes.Failed, error.GetProperty("outcome").GetString());
        Assert.Equal(context.AwsRequestId, error.GetProperty("requestId").GetString());
        var drift = Assert.Single(lines, l => l.GetProperty("message").GetString()!.StartsWith("Drift: ", StringComparison.Ordinal));
        Assert.Contains("not enqueued", drift.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_repository_whose_name_is_longer_than_a_group_id_is_healed_through_a_group_id_SQS_takes()
    {
        // The intake pipe cannot shorten the name it uses as MessageGroupId (at most 128 characters), so such a push
        // ends in the intake dead-letter queue; the reconciler's event is what replicates it.
        await using var h = await ReconcileRig.StartAsync();
        using var sqs = ReconcileRig.Sqs(moto.Server);
        var queue = await ReconcileRig.CreateFifoQueueAsync(sqs, "long-names");
        var repository = "team/" + new string('a', 195);
        var image = Unique(SampleFormat.Oci);
        await h.PushAsync(ReconcileRig.Source, repository, image, "v1");

        var report = await new Reconciler(h.Scanner(), new SqsMessageSender(sqs, queue), TimeProvider.System).RunAsync(Run("long"), CancellationToken.None);

        Assert.Equal((1, 1), (report.DriftFound, report.DriftEnqueued));
        var (body, group) = Assert.Single(await ReconcileRig.DrainAsync(sqs, queue));
        Assert.Equal(MessageGroupIds.For(repository), group);
        Assert.InRange(group.Length, 1, MessageGroupIds.MaxLength);
        await h.ReplicateAsync(body);
        Assert.Equal(image.Digest, await new RegistryProbe(h.Client(ReconcileRig.West)).TagDigestAsync(repository, "v1"));
    }

    /// <summary>A queue that takes <paramref name="takes"/> (on <paramref name="clock"/>) to answer, and gives up when its token is cancelled.</summary>
    private sealed class SlowSender(FakeTimeProvider clock, TimeSpan takes) : IMessageSender
    {
        public Task<IReadOnlyList<MessageRefusal>> SendBatchAsync(IReadOnlyList<QueueMessage> messages, CancellationToken cancellationToken)
        {
            clock.Advance(takes);
            cancellationToken.ThrowIfCancellationRequested();
            return Task.FromResult<IReadOnlyList<MessageRefusal>>([]);
        }
    }

    /// <summary>
    /// A scheduled run of <paramref name="reconciler"/> in the source region, to <paramref name="destinations"/> (else the
    /// rig's), writing its JSON log lines and metrics to <paramref name="output"/> on <paramref name="clock"/>.
    /// </summary>
    private static ScheduledReconcile Scheduled(Reconciler reconciler, TextWriter output, FakeTimeProvider clock, IReadOnlyList<ReplicationDestination>? destinations = null)
    {
        var sink = new OutputSink(output);
        var config = new FunctionConfig { Region = ReconcileRig.Source, Destinations = destinations ?? ReconcileRig.Destinations };
        return new ScheduledReconcile(reconciler, config, new FunctionLogger(sink, LogLevel.Info, LogFormat.Json, clock), new MetricsWriter(sink, "Test", clock), clock);
    }
}
