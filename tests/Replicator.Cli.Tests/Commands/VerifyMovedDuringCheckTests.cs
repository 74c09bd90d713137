using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Replicator.Cli.Tests.Support;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Signing;
using Replicator.Samples;
using Replicator.Testing;

namespace Replicator.Cli.Tests.Commands;

/// <summary>
/// A tag the source moves to another image between its listing and the destination's, and the destination follows, as
/// the function does on that push. LocalEcr's clock holds the source's first listing while the pushes happen, so the
/// race is made without waiting.
/// </summary>
public sealed class VerifyMovedDuringCheckTests
{
    [Fact]
    public async Task A_tag_the_source_moves_and_the_destination_follows_during_the_check_is_not_reported_different()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await CliHarness.StartAsync(time);
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(95), "v1");
        string[] regions = ["--source-region", CliHarness.Source, "--destination-region", CliHarness.West];
        Assert.Equal(0, (await h.RunAsync(["sync", .. regions])).ExitCode);
        var listings = h.Server.Calls.Count(CliHarness.Source, "DescribeImages");

        var moved = CliHarness.Single(96);
        var run = await HeldSourceListing.VerifyWhileAsync(h, time, regions, async () =>
        {
            await h.PushAsync(CliHarness.Source, "app", moved, "v1");
            await h.PushAsync(CliHarness.West, "app", moved, "v1");
        });

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("in sync: 1 tag(s) checked", run.Output, StringComparison.Ordinal);

        // The listing, then v1 read again by tag; no second listing: the image v1 left is no referrer.
        Assert.Equal(2, h.Server.Calls.Count(CliHarness.Source, "DescribeImages") - listings);
    }

    /// <summary>
    /// A tag moved during the check to an image the source has since archived, where ECR answers an archived image asked
    /// for by id (LocalEcr's DescribeImagesByIdIgnoresStatusFilter, one reading of docs/fidelity.md's "DescribeImages
    /// imageIds and the status filter"; under the others the recheck gets no answer and the tag stands as compared): in
    /// sync at the source's current digest, and, as for any tag in sync with an archived source image, the report says
    /// the source's image is archived.
    /// </summary>
    [Fact]
    public async Task A_tag_moved_during_the_check_to_an_archived_image_says_the_source_image_is_archived()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await CliHarness.StartAsync(time, o => o.DescribeImagesByIdIgnoresStatusFilter = true);
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(97), "v1");
        string[] regions = ["--source-region", CliHarness.Source, "--destination-region", CliHarness.West];
        Assert.Equal(0, (await h.RunAsync(["sync", .. regions])).ExitCode);

        var moved = CliHarness.Single(98);
        var run = await HeldSourceListing.VerifyWhileAsync(
            h,
            time,
            regions,
            async () =>
            {
                await h.PushAsync(CliHarness.Source, "app", moved, "v1");
                await h.PushAsync(CliHarness.West, "app", moved, "v1");
                using var http = new HttpClient();
                await EcrArchiver.ArchiveAsync(http, h.Server.BaseAddress, CliHarness.Source, "app", moved.Digest, new AwsCredentials(CliHarness.AccessKey, CliHarness.SecretKey));
            },
            "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        using var report = JsonDocument.Parse(run.Output);
        var entry = Assert.Single(report.RootElement.GetProperty("entries").EnumerateArray(), e => e.GetProperty("tag").GetString() == "v1");
        Assert.Equal(("InSync", moved.Digest, "ARCHIVED"), (entry.GetProperty("status").GetString(), entry.GetProperty("sourceDigest").GetString(), entry.GetProperty("sourceImageStatus").GetString()));
    }

    /// <summary>
    /// A referrer with a selected tag of its own (an SBOM tagged "v1-sbom") is compared as that tag only. When the source
    /// moves that tag to another image during the check, and both destinations follow, the tag is in sync at the new
    /// image, and the SBOM, untagged now but still in the source and still a referrer of v1 (which sync copies with v1),
    /// is compared as a referrer: held in the west (a moved tag leaves its image untagged, not deleted), gone in Europe,
    /// where it was deleted by digest after the move. Before, nothing compared it: verify read in sync (exit 0), and the
    /// next verify, the tag gone from the manifest, found the referrer missing in Europe.
    /// </summary>
    [Fact]
    public async Task A_tagged_referrer_whose_tag_moves_during_the_check_is_compared_as_a_referrer()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await CliHarness.StartAsync(time);
        var builder = new SampleImageBuilder(seed: 205);
        var image = builder.Image(SampleFormat.Oci, [1024]);
        var sbom = builder.Artifact(image.Root);
        var other = CliHarness.Single(206);
        await h.PushAsync(CliHarness.Source, "app", image, "v1");
        await h.PushAsync(CliHarness.Source, "app", sbom, "v1-sbom");
        string[] regions = ["--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--destination-region", CliHarness.Europe];
        Assert.Equal(0, (await h.RunAsync(["sync", .. regions])).ExitCode);
        var listings = h.Server.Calls.Count(CliHarness.Source, "DescribeImages");

        var run = await HeldSourceListing.VerifyWhileAsync(
            h,
            time,
            regions,
            async () =>
            {
                foreach (var region in new[] { CliHarness.Source, CliHarness.West, CliHarness.Europe })
                {
                    await h.PushAsync(region, "app", other, "v1-sbom");
                }

                await h.Client(CliHarness.Europe).BatchDeleteImageAsync(
                    new BatchDeleteImageRequest { RepositoryName = "app", ImageIds = [new ImageIdentifier { ImageDigest = sbom.Digest }] });
            },
            "--json");

        Assert.True(run.ExitCode == 1, run.ToString());
        using var report = JsonDocument.Parse(run.Output);
        var entries = report.RootElement.GetProperty("entries").EnumerateArray().ToList();
        Assert.All(
            entries.Where(e => e.GetProperty("tag").GetString() == "v1-sbom"),
            e => Assert.Equal(("InSync", other.Digest), (e.GetProperty("status").GetString(), e.GetProperty("sourceDigest").GetString())));
        var referrers = entries.Where(e => e.TryGetProperty("subjectDigest", out _))
            .Select(e => (e.GetProperty("destination").GetString(), e.GetProperty("tag").GetString(), e.GetProperty("sourceDigest").GetString(), e.GetProperty("subjectDigest").GetString(), e.GetProperty("status").GetString()))
            .Order();
        Assert.Equal([(CliHarness.Europe, "v1", sbom.Digest, image.Digest, "Missing"), (CliHarness.West, "v1", sbom.Digest, image.Digest, "InSync")], referrers);
        Assert.Equal(1, report.RootElement.GetProperty("missing").GetInt32());

        // The listing, v1-sbom read again by tag, and the listing made again that finds the SBOM still held, active.
        Assert.Equal(3, h.Server.Calls.Count(CliHarness.Source, "DescribeImages") - listings);

        // What the next verify says of it, the tag gone from the SBOM: the same referrer, missing in Europe (of two tags
        // and one referrer in each destination).
        var next = await h.RunAsync(["verify", .. regions]);
        Assert.True(next.ExitCode == 1, next.ToString());
        Assert.Contains("drift: 1 missing, 0 different, 0 extra of 6", next.Output, StringComparison.Ordinal);
    }
}
