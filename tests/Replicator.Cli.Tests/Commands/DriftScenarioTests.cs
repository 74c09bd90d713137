using System.Text.Json;
using System.Text.RegularExpressions;
using Replicator.Cli.Tests.Support;
using Replicator.Samples;
using Replicator.Testing;

namespace Replicator.Cli.Tests.Commands;

/// <summary>
/// Unusual registries seen by the three views of drift at once: <c>verify</c>'s entries, the plan of
/// <c>sync --dry-run</c>, and the events of <c>sync --enqueue</c> (the reconciler's drift finding). Each scenario checks
/// that all three name exactly the drift, and nothing more.
/// </summary>
public sealed class DriftScenarioTests
{
    private static readonly string[] Regions = ["--source-region", CliHarness.Source, "--destination-region", CliHarness.West];

    [Fact]
    public async Task Extra_destination_tags_outside_the_tag_filter_are_neither_extra_nor_planned_nor_sent()
    {
        await using var h = await CliHarness.StartAsync();
        var v1 = CliHarness.Single(901);
        await h.PushAsync(CliHarness.Source, "app", v1, "v1");
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(902), "dev");
        await h.PushAsync(CliHarness.West, "app", v1, "v1");
        await h.PushAsync(CliHarness.West, "app", CliHarness.Single(903), "dev-old");
        await h.PushAsync(CliHarness.West, "app", CliHarness.Single(904), "v9");

        var seen = await ObserveAsync(h, "--tag-filter", "v.*");

        Assert.Equal([("Extra", "v9"), ("InSync", "v1")], seen.Verify.Select(e => (e.Status, e.Tag)).Order().ToList());
        Assert.Equal([("v1", "up to date")], seen.Plan);
        Assert.Empty(seen.Sent);
    }

    [Fact]
    public async Task A_mapped_destination_repository_that_does_not_exist_yet_is_missing_planned_created_and_sent()
    {
        await using var h = await CliHarness.StartAsync();
        var builder = new SampleImageBuilder(905);
        var image = builder.Image(SampleFormat.Oci, [512]);
        var signature = builder.Artifact(image.Root, "application/vnd.cncf.notary.signature", 128);
        await h.PushAsync(CliHarness.Source, "team/app", image, "v1");
        await h.PushAsync(CliHarness.Source, "team/app", signature, null);

        var seen = await ObserveAsync(h, "--repository-mapping", "team/=mirror/");

        Assert.Equal([("Missing", "v1", image.Digest), ("Missing", "v1", signature.Digest)], seen.Verify.Select(e => (e.Status, e.Tag, e.SourceDigest)).Order().ToList());
        Assert.Equal([("v1", "create repository, copy")], seen.Plan);
        Assert.Equal([("v1", image.Digest)], seen.Sent);
    }

    [Fact]
    public async Task An_untagged_only_source_repository_leaves_the_destination_tags_extra_plans_nothing_and_sends_nothing()
    {
        await using var h = await CliHarness.StartAsync();
        var builder = new SampleImageBuilder(906);
        var image = builder.Image(SampleFormat.Oci, [512]);
        await h.PushAsync(CliHarness.Source, "team/app", image, null);
        await h.PushAsync(CliHarness.West, "mirror/app", image, "old");

        var seen = await ObserveAsync(h, "--repository-mapping", "team/=mirror/");

        Assert.Equal([("Extra", "old")], seen.Verify.Select(e => (e.Status, e.Tag)).ToList());
        Assert.Empty(seen.Plan);
        Assert.Empty(seen.Sent);
    }

    [Fact]
    public async Task An_empty_source_repository_leaves_the_destination_tags_extra_plans_nothing_and_sends_nothing()
    {
        await using var h = await CliHarness.StartAsync();
        await h.Client(CliHarness.Source).CreateRepositoryAsync(new Core.Ecr.Model.CreateRepositoryRequest { RepositoryName = "team/app" });
        await h.PushAsync(CliHarness.West, "mirror/app", CliHarness.Single(907), "old");

        var seen = await ObserveAsync(h, "--repository-mapping", "team/=mirror/");

        Assert.Equal([("Extra", "old")], seen.Verify.Select(e => (e.Status, e.Tag)).ToList());
        Assert.Empty(seen.Plan);
        Assert.Empty(seen.Sent);
    }

    [Fact]
    public async Task A_tag_moved_in_the_source_onto_a_signed_image_is_different_and_one_event_brings_image_and_signature()
    {
        await using var h = await CliHarness.StartAsync();
        var builder = new SampleImageBuilder(908);
        var old = builder.Image(SampleFormat.Oci, [512]);
        await h.PushAsync(CliHarness.Source, "app", old, "v1");
        Assert.Equal(0, (await h.RunAsync(["sync", .. Regions])).ExitCode);
        var moved = builder.Image(SampleFormat.Oci, [600]);
        var signature = builder.Artifact(moved.Root, "application/vnd.cncf.notary.signature", 128);
        await h.PushAsync(CliHarness.Source, "app", moved, "v1");
        await h.PushAsync(CliHarness.Source, "app", signature, null);

        var seen = await ObserveAsync(h);

        Assert.Equal([("Different", "v1", moved.Digest), ("Missing", "v1", signature.Digest)], seen.Verify.Select(e => (e.Status, e.Tag, e.SourceDigest)).Order().ToList());
        Assert.Equal([("v1", "copy")], seen.Plan);
        Assert.Equal([("v1", moved.Digest)], seen.Sent);
    }

    [Fact]
    public async Task A_signature_the_destination_lacks_of_an_image_it_holds_is_one_referrer_event()
    {
        await using var h = await CliHarness.StartAsync();
        var builder = new SampleImageBuilder(909);
        var image = builder.MultiArch(SampleFormat.Oci, [512]);
        await h.PushAsync(CliHarness.Source, "app", image, "v1");
        Assert.Equal(0, (await h.RunAsync(["sync", .. Regions])).ExitCode);
        var signature = builder.Artifact(image.Manifests[0], "application/vnd.cncf.notary.signature", 128);
        await h.PushAsync(CliHarness.Source, "app", signature, null);

        var seen = await ObserveAsync(h, "--tag-filter", "v.*");

        Assert.Equal([("InSync", image.Digest), ("Missing", signature.Digest)], seen.Verify.Select(e => (e.Status, e.SourceDigest)).Order().ToList());
        Assert.Equal([("v1", "copy")], seen.Plan);
        Assert.Equal([((string?)null, signature.Digest)], seen.Sent);
    }

    /// <summary>
    /// A referrer pushed with a tag of its own is a selected image and a referrer of its subject at once: its tag's
    /// push copies it (with its own referrers), so the reconciler sends that one event, not a push by digest beside it.
    /// verify reports it once, as its tag (the stricter check), where it used to report the tag and the referrer.
    /// </summary>
    [Fact]
    public async Task A_tagged_referrer_the_destination_lacks_is_one_event_its_tags()
    {
        await using var h = await CliHarness.StartAsync();
        var builder = new SampleImageBuilder(910);
        var image = builder.Image(SampleFormat.Oci, [512]);
        var sbom = builder.Artifact(image.Root, "application/spdx+json", 128);
        await h.PushAsync(CliHarness.Source, "app", image, "v1");
        await h.PushAsync(CliHarness.West, "app", image, "v1");
        await h.PushAsync(CliHarness.Source, "app", sbom, "v1-sbom");

        var seen = await ObserveAsync(h);

        Assert.Equal([("InSync", "v1", image.Digest), ("Missing", "v1-sbom", sbom.Digest)], seen.Verify.Select(e => (e.Status, e.Tag, e.SourceDigest)).Order().ToList());
        Assert.Equal([("v1", "copy"), ("v1-sbom", "copy")], seen.Plan.Order().ToList());
        Assert.Equal([("v1-sbom", sbom.Digest)], seen.Sent);
    }

    private sealed record VerifyEntry(string Status, string? Tag, string? SourceDigest, string? DestinationDigest);

    private sealed record Seen(List<VerifyEntry> Verify, List<(string Tag, string Action)> Plan, List<(string? Tag, string Digest)> Sent);

    /// <summary>verify --json, sync --dry-run and sync --enqueue over the same selection, in that order (none writes to ECR).</summary>
    private static async Task<Seen> ObserveAsync(CliHarness h, params string[] selection)
    {
        var verify = await h.RunAsync(["verify", "--json", .. Regions, .. selection]);
        Assert.True(verify.ExitCode is 0 or 1, verify.ToString());
        using var document = JsonDocument.Parse(verify.Output);
        var entries = document.RootElement.GetProperty("entries").EnumerateArray()
            .Select(e => new VerifyEntry(e.GetProperty("status").GetString()!, Text(e, "tag"), Text(e, "sourceDigest"), Text(e, "destinationDigest")))
            .ToList();

        var dryRun = await h.RunAsync(["sync", "--dry-run", .. Regions, .. selection]);
        Assert.True(dryRun.ExitCode is 0 or 1, dryRun.ToString());
        var plan = dryRun.Output.Split(Environment.NewLine)
            .Select(l => l.Split('│', StringSplitOptions.TrimEntries))
            .Select(c => (Cells: c, At: Array.IndexOf(c, CliHarness.West)))
            .Where(r => r.At >= 2 && r.At + 1 < r.Cells.Length)
            .Select(r => (r.Cells[r.At - 2], r.Cells[r.At + 1]))
            .ToList();

        await using var sqs = await FakeSqsServer.StartAsync();
        var enqueue = await h.RunWithAsync(
            h.Environment(("AWS_ENDPOINT_URL_SQS", sqs.Endpoint.AbsoluteUri)), null, ["sync", .. Regions, .. selection, "--enqueue", new Uri(sqs.Endpoint, EnqueueTests.QueuePath).AbsoluteUri]);
        Assert.True(enqueue.ExitCode == 0, enqueue.ToString());
        var sent = sqs.Requests.SelectMany(r => r.Body.GetProperty("Entries").EnumerateArray())
            .Select(e => JsonDocument.Parse(e.GetProperty("MessageBody").GetString()!).RootElement.GetProperty("detail"))
            .Select(d => (Tag: d.TryGetProperty("image-tag", out var t) && t.GetString() is { Length: > 0 } tag ? tag : null, d.GetProperty("image-digest").GetString()!))
            .Order()
            .ToList();
        return new Seen(entries, plan, sent);

        static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    }
}
