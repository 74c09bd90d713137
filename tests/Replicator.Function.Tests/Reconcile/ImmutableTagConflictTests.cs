using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Reconciliation;
using Replicator.Core.Replication;
using Replicator.Function.Configuration;
using Replicator.Function.Events;
using Replicator.Function.Observability;
using Replicator.Function.Reconcile;
using Replicator.Function.Tests.Support;
using Replicator.Samples;
using Replicator.Testing;

namespace Replicator.Function.Tests.Reconcile;

/// <summary>
/// A selected tag a destination holds at another digest where the tag is immutable: PutImage would refuse it on every
/// try, so the reconciler sends no event for it (which the function would dead-letter as ImmutableTagConflict on every
/// pass) but reports it, once a run, as DriftConflicts.
/// </summary>
public sealed class ImmutableTagConflictTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 6, 0, 0, TimeSpan.Zero);

    private static long _seed = 19000;

    private static SampleImage Unique() => new SampleImageBuilder((ulong)Interlocked.Increment(ref _seed)).Image(SampleFormat.Oci, [512]);

    private static async Task DestinationRepositoryAsync(ReconcileRig h, string name, string mutability, params string[] exclusions) =>
        await h.Client(ReconcileRig.West).CreateRepositoryAsync(new CreateRepositoryRequest
        {
            RepositoryName = name,
            ImageTagMutability = mutability,
            ImageTagMutabilityExclusionFilters = exclusions.Length == 0 ? null : [.. exclusions.Select(e => new ImageTagMutabilityExclusionFilter { FilterType = ImageTagMutabilityExclusionFilterType.Wildcard, Filter = e })],
        });

    [Fact]
    public async Task An_immutable_destination_tag_at_another_digest_is_not_enqueued_but_logged_and_counted_once_and_its_mutability_is_asked_once_a_repository()
    {
        await using var h = await ReconcileRig.StartAsync();

        // locked: IMMUTABLE, holding v1 and v2 at other digests. partly: immutable but for latest*. loose: MUTABLE.
        var lockedV1 = Unique();
        var lockedV2 = Unique();
        await h.PushAsync(ReconcileRig.Source, "locked", lockedV1, "v1");
        await h.PushAsync(ReconcileRig.Source, "locked", lockedV2, "v2");
        await DestinationRepositoryAsync(h, "locked", ImageTagMutability.Immutable);
        await h.PushAsync(ReconcileRig.West, "locked", Unique(), "v1");
        await h.PushAsync(ReconcileRig.West, "locked", Unique(), "v2");

        var partlyV1 = Unique();
        var partlyLatest = Unique();
        await h.PushAsync(ReconcileRig.Source, "partly", partlyV1, "v1");
        await h.PushAsync(ReconcileRig.Source, "partly", partlyLatest, "latest");
        await DestinationRepositoryAsync(h, "partly", ImageTagMutability.ImmutableWithExclusion, "latest*");
        await h.PushAsync(ReconcileRig.West, "partly", Unique(), "v1");
        await h.PushAsync(ReconcileRig.West, "partly", Unique(), "latest");

        var loose = Unique();
        await h.PushAsync(ReconcileRig.Source, "loose", loose, "v1");
        await h.PushAsync(ReconcileRig.West, "loose", Unique(), "v1");

        var describeRepositories = 0;
        var scanner = h.Scanner(
            (operation, _) => describeRepositories += operation == "DescribeRepositories" ? 1 : 0,
            new DriftSelection { Repositories = ["locked", "loose", "partly"] });
        var clock = new FakeTimeProvider(Now);
        var sender = new RecordingSender();
        var output = new SynchronizedStringWriter();
        var sink = new OutputSink(output);
        var config = new FunctionConfig { Region = ReconcileRig.Source, Destinations = ReconcileRig.Destinations };
        var scheduled = new ScheduledReconcile(
            new Reconciler(scanner, sender, clock), config, new FunctionLogger(sink, LogLevel.Info, LogFormat.Json, clock), new MetricsWriter(sink, "Test", clock), clock);

        var response = await scheduled.RunAsync(new ScheduledEvent { Id = "conflict-1", Account = ReconcileRig.Account }, new FakeLambdaContext(clock, TimeSpan.FromMinutes(15)), CancellationToken.None);

        // Only the mutable tags are sent: loose:v1 and partly:latest (excluded from immutability).
        Assert.Equal(
            [("loose", loose.Digest, "v1"), ("partly", partlyLatest.Digest, "latest")],
            sender.Messages.Select(m => EcrEventParser.Parse(m.Body)).Select(a => (a.RepositoryName, a.Digest!, a.Tag)).Order());
        Assert.Equal((2, 2, 3), (response.DriftFound, response.DriftEnqueued, response.Conflicts));

        // One DescribeRepositories a repository on the destination (locked has two conflicting tags), none on the source.
        Assert.Equal(3, describeRepositories);

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var metrics = Assert.Single(lines, l => l.TryGetProperty("_aws", out _));
        Assert.Equal(3, metrics.GetProperty(MetricsWriter.DriftConflictsMetric).GetInt32());
        Assert.Equal(2, metrics.GetProperty(MetricsWriter.DriftFoundMetric).GetInt32());

        string Field(JsonElement line, string name) => line.TryGetProperty(name, out var value) ? value.GetString()! : string.Empty;
        var conflicts = lines.Where(l => Field(l, "outcome") == LogOutcomes.DriftConflict).ToList();
        Assert.Equal(
            [("locked", "v1", lockedV1.Digest), ("locked", "v2", lockedV2.Digest), ("partly", "v1", partlyV1.Digest)],
            conflicts.Select(l => (Field(l, "repository"), Field(l, "tag"), Field(l, "digest"))).Order());
        Assert.All(conflicts, l =>
        {
            Assert.Equal(("WARN", ReconcileRig.West), (Field(l, "level"), Field(l, "destinationRegion")));
            Assert.Contains("immutable", Field(l, "message"), StringComparison.Ordinal);
            Assert.Contains("TagFilter", Field(l, "message"), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task A_conflict_with_one_destination_still_sends_the_event_another_destination_lacks()
    {
        await using var h = await ReconcileRig.StartAsync();
        var image = Unique();
        await h.PushAsync(ReconcileRig.Source, "app", image, "v1");
        await DestinationRepositoryAsync(h, "app", ImageTagMutability.Immutable);
        await h.PushAsync(ReconcileRig.West, "app", Unique(), "v1");
        var europe = new Core.Replication.ReplicationDestination(ReconcileRig.Europe);
        var scanner = h.ScannerWithAccess([new(ReconcileRig.West), europe], new DriftSelection { Repositories = ["app"] });

        var report = await new Reconciler(scanner, new RecordingSender(), new FakeTimeProvider(Now)).RunAsync(
            new ReconcileRun { Account = ReconcileRig.Account, Region = ReconcileRig.Source, RunId = "conflict-2", Time = Now }, CancellationToken.None);

        var item = Assert.Single(report.Drift);
        Assert.Equal((DriftKind.MissingTag, europe), (item.Kind, Assert.Single(item.Destinations)));
        var conflict = Assert.Single(report.Conflicts);
        Assert.Equal(("app", "v1", ReconcileRig.West), (conflict.DestinationRepository, conflict.Tag, conflict.Destination.Region));
    }

    [Fact]
    public async Task A_digest_whose_only_drift_is_a_conflict_still_has_its_missing_signature_enqueued()
    {
        await using var h = await ReconcileRig.StartAsync();
        var builder = new SampleImageBuilder(seed: 19500);
        var image = builder.Image(SampleFormat.Oci, [512]);
        await h.PushAsync(ReconcileRig.Source, "sealed", image, "v1");
        await DestinationRepositoryAsync(h, "sealed", ImageTagMutability.Immutable);
        await h.PushAsync(ReconcileRig.West, "sealed", image, null);
        await h.PushAsync(ReconcileRig.West, "sealed", Unique(), "v1");
        var signature = builder.Artifact(image.Root, "application/vnd.dev.cosign.artifact.sig.v1+json", 256);
        await h.PushAsync(ReconcileRig.Source, "sealed", signature, null);
        var sender = new RecordingSender();

        var report = await new Reconciler(h.Scanner(new DriftSelection { Repositories = ["sealed"] }), sender, new FakeTimeProvider(Now)).RunAsync(
            new ReconcileRun { Account = ReconcileRig.Account, Region = ReconcileRig.Source, RunId = "conflict-3", Time = Now }, CancellationToken.None);

        var item = Assert.Single(report.Drift);
        Assert.Equal((DriftKind.MissingReferrer, signature.Digest), (item.Kind, item.Digest));
        Assert.Equal(signature.Digest, EcrEventParser.Parse(Assert.Single(sender.Messages).Body).Digest);
        var conflict = Assert.Single(report.Conflicts);
        Assert.Equal(("v1", image.Digest), (conflict.Tag, conflict.Digest));
    }

    /// <summary>
    /// The conflict is in one destination, which lacks the image (its immutable tag names another); the other holds the
    /// image but not its signature. The signature was never sent there while the conflict stood: "held everywhere"
    /// counted the destination no event can reach, so the referrers were not walked at all.
    /// </summary>
    [Fact]
    public async Task A_conflict_in_one_destination_does_not_keep_a_missing_signature_from_another()
    {
        await using var h = await ReconcileRig.StartAsync();
        var builder = new SampleImageBuilder(seed: 19600);
        var image = builder.Image(SampleFormat.Oci, [512]);
        await h.PushAsync(ReconcileRig.Source, "sealed", image, "v1");
        await h.Client(ReconcileRig.West).CreateRepositoryAsync(new CreateRepositoryRequest { RepositoryName = "sealed", ImageTagMutability = ImageTagMutability.Immutable });
        await h.PushAsync(ReconcileRig.West, "sealed", Unique(), "v1");
        await h.PushAsync(ReconcileRig.Europe, "sealed", image, "v1");
        var signature = builder.Artifact(image.Root, "application/vnd.dev.cosign.artifact.sig.v1+json", 256);
        await h.PushAsync(ReconcileRig.Source, "sealed", signature, null);
        var europe = new ReplicationDestination(ReconcileRig.Europe);
        var sender = new RecordingSender();

        var report = await new Reconciler(h.ScannerWithAccess([new(ReconcileRig.West), europe], new DriftSelection { Repositories = ["sealed"] }), sender, new FakeTimeProvider(Now)).RunAsync(
            new ReconcileRun { Account = ReconcileRig.Account, Region = ReconcileRig.Source, RunId = "conflict-4", Time = Now }, CancellationToken.None);

        var item = Assert.Single(report.Drift);
        Assert.Equal((DriftKind.MissingReferrer, signature.Digest, europe), (item.Kind, item.Digest, Assert.Single(item.Destinations)));
        Assert.Equal(signature.Digest, EcrEventParser.Parse(Assert.Single(sender.Messages).Body).Digest);
        var conflict = Assert.Single(report.Conflicts);
        Assert.Equal((ReconcileRig.West, "v1"), (conflict.Destination.Region, conflict.Tag));
    }
}
