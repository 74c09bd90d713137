using System.Text.Json;
using Replicator.Cli.Tests.Support;
using Replicator.Core.Manifests;
using Replicator.Core.Reconciliation;
using Replicator.Samples;
using Replicator.Testing;

namespace Replicator.Cli.Tests.Commands;

/// <summary>
/// <c>sync</c> and <c>verify</c> include the referrers of the images they select (LocalEcr's ListImageReferrers):
/// an SBOM of the image and a signature of that SBOM travel with the image, and verify reports one missing.
/// </summary>
public sealed class VerifyReferrersTests
{
    private static readonly string[] Regions = ["--source-region", CliHarness.Source, "--destination-region", CliHarness.West];

    private const string Unlistable = "UnableToListUpstreamImageReferrersException";

    [Fact]
    public async Task Sync_copies_nested_referrers_and_verify_checks_them()
    {
        await using var h = await CliHarness.StartAsync();
        var builder = new SampleImageBuilder(seed: 41);
        var image = builder.Image(SampleFormat.Oci, [2048]);
        var sbom = builder.Artifact(image.Root);
        var signature = builder.Artifact(sbom.Root, "application/vnd.dev.sigstore.bundle.v0.3+json", 256);
        await h.PushAsync(CliHarness.Source, "signed", image, "v1");
        await h.PushAsync(CliHarness.Source, "signed", sbom, null);
        await h.PushAsync(CliHarness.Source, "signed", signature, null);

        var sync = await h.RunAsync(["sync", .. Regions]);
        var verify = await h.RunAsync(["verify", .. Regions]);

        Assert.True(sync.ExitCode == 0, sync.ToString());
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("in sync: 1 tag(s) and 2 referrer(s) checked", verify.Output, StringComparison.Ordinal);
        Assert.Matches(@"signed\s+│ v1 > application/spdx\+json\s+│ us-west-2\s+│ sha256:\w{12}\s+│ sha256:\w{12}\s+│ in sync", verify.Output);
        var west = await h.Client(CliHarness.West).ListImageReferrersAsync(new() { RepositoryName = "signed", SubjectId = new() { ImageDigest = sbom.Digest } });
        Assert.Equal([signature.Digest], west.Referrers!.Select(r => r.Digest));
    }

    /// <summary>
    /// An image under two tags has its referrers checked once, named after its first selected tag: a row and a count
    /// per tag would report the same signature twice.
    /// </summary>
    [Fact]
    public async Task The_referrers_of_an_image_under_two_tags_are_checked_once_under_its_first_tag()
    {
        await using var h = await CliHarness.StartAsync();
        var builder = new SampleImageBuilder(seed: 48);
        var image = builder.Image(SampleFormat.Oci, [1024]);
        var signature = builder.Artifact(image.Root, "application/vnd.cncf.notary.signature", 512);
        await h.PushAsync(CliHarness.Source, "app", image, "v1");
        await h.PushAsync(CliHarness.Source, "app", image, "latest");
        await h.PushAsync(CliHarness.Source, "app", signature, null);
        Assert.Equal(0, (await h.RunAsync(["sync", .. Regions])).ExitCode);

        var verify = await h.RunAsync(["verify", "--json", .. Regions]);

        Assert.True(verify.ExitCode == 0, verify.ToString());
        using var document = JsonDocument.Parse(verify.Output);
        var referrers = document.RootElement.GetProperty("entries").EnumerateArray().Where(e => e.TryGetProperty("subjectDigest", out _)).ToList();
        Assert.Equal("latest", Assert.Single(referrers).GetProperty("tag").GetString());
    }

    /// <summary>
    /// A referrer with a selected tag of its own (a tagged SBOM) is compared as that tag and not again as a referrer,
    /// and a signature of it, found below both the image and the SBOM, is one row: before, the SBOM was counted as a
    /// tag and a referrer, and its signature under both, so one missing signature read as two.
    /// </summary>
    [Fact]
    public async Task A_tagged_referrer_is_checked_as_its_tag_and_its_signature_once()
    {
        await using var h = await CliHarness.StartAsync();
        var builder = new SampleImageBuilder(seed: 49);
        var image = builder.Image(SampleFormat.Oci, [1024]);
        var sbom = builder.Artifact(image.Root);
        await h.PushAsync(CliHarness.Source, "app", image, "v1");
        await h.PushAsync(CliHarness.Source, "app", sbom, "v1-sbom");
        Assert.Equal(0, (await h.RunAsync(["sync", .. Regions])).ExitCode);
        var signature = builder.Artifact(sbom.Root, "application/vnd.dev.sigstore.bundle.v0.3+json", 256);
        await h.PushAsync(CliHarness.Source, "app", signature, null);

        var drift = await h.RunAsync(["verify", "--json", .. Regions]);

        Assert.True(drift.ExitCode == 1, drift.ToString());
        using (var document = JsonDocument.Parse(drift.Output))
        {
            var entries = document.RootElement.GetProperty("entries").EnumerateArray().ToList();
            Assert.Equal(["v1", "v1-sbom"], entries.Where(e => !e.TryGetProperty("subjectDigest", out _)).Select(e => e.GetProperty("tag").GetString()).Order(StringComparer.Ordinal));
            var referrer = Assert.Single(entries, e => e.TryGetProperty("subjectDigest", out _));
            Assert.Equal(signature.Digest, referrer.GetProperty("sourceDigest").GetString());
            Assert.Equal(sbom.Digest, referrer.GetProperty("subjectDigest").GetString());
            Assert.Equal("Missing", referrer.GetProperty("status").GetString());
            Assert.Equal(1, document.RootElement.GetProperty("missing").GetInt32());
        }

        Assert.Equal(0, (await h.RunAsync(["sync", .. Regions])).ExitCode);
        var verify = await h.RunAsync(["verify", .. Regions]);

        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("in sync: 2 tag(s) and 1 referrer(s) checked", verify.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// A destination registry with managed signing of its own signs what sync writes there (docs/deploy.md, "Managed
    /// signing"): it holds its own signature beside the source's copy, and verify, which compares what the source holds,
    /// finds it in sync.
    /// </summary>
    [Fact]
    public async Task A_destination_that_signs_what_sync_writes_keeps_its_own_signature_and_verify_finds_it_in_sync()
    {
        await using var h = await CliHarness.StartAsync(null, o => o.SigningDuration = TimeSpan.Zero);
        await h.SignPushesAsync(CliHarness.West, "arn:aws:signer:us-west-2:000000000000:/signing-profiles/replicas");

        var builder = new SampleImageBuilder(seed: 47);
        var image = builder.Image(SampleFormat.Oci, [1024]);
        var signature = builder.Artifact(image.Root, "application/vnd.cncf.notary.signature", 512);
        await h.PushAsync(CliHarness.Source, "app", image, "v1");
        await h.PushAsync(CliHarness.Source, "app", signature, null);

        var sync = await h.RunAsync(["sync", .. Regions]);
        var verify = await h.RunAsync(["verify", .. Regions]);

        Assert.True(sync.ExitCode == 0, sync.ToString());
        var west = await h.Client(CliHarness.West).ListImageReferrersAsync(new() { RepositoryName = "app", SubjectId = new() { ImageDigest = image.Digest } });
        Assert.Equal(2, west.Referrers!.Count);
        Assert.Contains(signature.Digest, west.Referrers.Select(r => r.Digest));
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("in sync: 1 tag(s) and 1 referrer(s) checked", verify.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_referrer_pushed_after_the_sync_is_reported_missing_until_the_next_sync()
    {
        await using var h = await CliHarness.StartAsync();
        var builder = new SampleImageBuilder(seed: 42);
        var image = builder.Image(SampleFormat.Docker, [1024]);
        await h.PushAsync(CliHarness.Source, "app", image, "v1");
        var first = await h.RunAsync(["sync", .. Regions]);
        Assert.True(first.ExitCode == 0, first.ToString());
        var late = builder.Artifact(image.Root, "application/vnd.cncf.notary.signature", 512);
        await h.PushAsync(CliHarness.Source, "app", late, null);

        var drift = await h.RunAsync(["verify", "--json", .. Regions]);

        Assert.True(drift.ExitCode == 1, drift.ToString());
        using (var document = JsonDocument.Parse(drift.Output))
        {
            var missing = Assert.Single(document.RootElement.GetProperty("entries").EnumerateArray(), e => e.GetProperty("status").GetString() == "Missing");
            Assert.Equal(late.Digest, missing.GetProperty("sourceDigest").GetString());
            Assert.Equal(image.Digest, missing.GetProperty("subjectDigest").GetString());
            Assert.Equal("application/vnd.cncf.notary.signature", missing.GetProperty("artifactType").GetString());
            Assert.Equal("v1", missing.GetProperty("tag").GetString());
            var tag = Assert.Single(document.RootElement.GetProperty("entries").EnumerateArray(), e => !e.TryGetProperty("subjectDigest", out _));
            Assert.Equal("InSync", tag.GetProperty("status").GetString());
        }

        var again = await h.RunAsync(["sync", .. Regions]);
        var verify = await h.RunAsync(["verify", .. Regions]);

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("in sync: 1 tag(s) and 1 referrer(s) checked", verify.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signature_of_one_platform_of_an_index_missing_at_the_destination_is_a_difference()
    {
        await using var h = await CliHarness.StartAsync();
        var builder = new SampleImageBuilder(seed: 43);
        var multi = builder.MultiArch(SampleFormat.Oci, [1024]);
        await h.PushAsync(CliHarness.Source, "multi", multi, "v1");
        var first = await h.RunAsync(["sync", .. Regions]);
        Assert.True(first.ExitCode == 0, first.ToString());

        // Signed per platform after the sync: the subject is a manifest the index lists, not the tagged index.
        var platform = multi.Manifests[0];
        var signature = builder.Artifact(platform, "application/vnd.dev.cosign.artifact.sig.v1+json", 256);
        await h.PushAsync(CliHarness.Source, "multi", signature, null);

        var drift = await h.RunAsync(["verify", "--json", .. Regions]);

        Assert.True(drift.ExitCode == 1, drift.ToString());
        using (var document = JsonDocument.Parse(drift.Output))
        {
            var missing = Assert.Single(document.RootElement.GetProperty("entries").EnumerateArray(), e => e.GetProperty("status").GetString() == "Missing");
            Assert.Equal(signature.Digest, missing.GetProperty("sourceDigest").GetString());
            Assert.Equal(platform.Digest, missing.GetProperty("subjectDigest").GetString());
            Assert.Equal("v1", missing.GetProperty("tag").GetString());
        }

        // The next sync copies it with the index; then verify finds it.
        var again = await h.RunAsync(["sync", .. Regions]);
        var verify = await h.RunAsync(["verify", .. Regions]);

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("in sync: 1 tag(s) and 1 referrer(s) checked", verify.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sync_copies_an_image_whose_referrers_the_source_will_not_list_without_them_and_says_so()
    {
        // A pull-through cache repository whose upstream cannot list referrers answers
        // UnableToListUpstreamImageReferrersException (botocore's ECR model). Before, sync failed the image.
        await using var h = await CliHarness.StartAsync();
        var builder = new SampleImageBuilder(seed: 45);
        var image = builder.Image(SampleFormat.Oci, [1024]);
        var sbom = builder.Artifact(image.Root);
        await h.PushAsync(CliHarness.Source, "cached", image, "v1");
        await h.PushAsync(CliHarness.Source, "cached", sbom, null);
        h.Server.Faults.FailNext("ListImageReferrers", 1000, Unlistable, 400, region: CliHarness.Source, message: "upstream credentials refused");

        var sync = await h.RunAsync(["sync", .. Regions]);

        Assert.True(sync.ExitCode == 0, sync.ToString());
        Assert.Equal(image.Digest, await h.TagDigestAsync(CliHarness.West, "cached", "v1"));
        Assert.Null(await new RegistryProbe(h.Client(CliHarness.West)).GetImageAsync("cached", sbom.Digest));
        Assert.True(sync.Output.Contains("would not list the referrers", StringComparison.Ordinal), sync.ToString());
    }

    [Fact]
    public async Task Verify_reports_referrers_the_source_will_not_list_with_the_reason_and_compares_the_rest()
    {
        // Before, verify stopped with exit 2 at the first such image, comparing no other repository.
        await using var h = await CliHarness.StartAsync();
        var builder = new SampleImageBuilder(seed: 46);
        var image = builder.Image(SampleFormat.Oci, [1024]);
        var plain = new SampleImageBuilder(seed: 47).Image(SampleFormat.Docker, [512]);
        await h.PushAsync(CliHarness.Source, "cached", image, "v1");
        await h.PushAsync(CliHarness.Source, "cached", builder.Artifact(image.Root), null);
        await h.PushAsync(CliHarness.Source, "plain", plain, "v1");
        var sync = await h.RunAsync(["sync", .. Regions]);
        Assert.True(sync.ExitCode == 0, sync.ToString());

        // Only the first listing verify asks for is refused: that of the image of "cached", the repository walked first.
        h.Server.Faults.FailNext("ListImageReferrers", 1, Unlistable, 400, region: CliHarness.Source, message: "upstream credentials refused");
        var json = await h.RunAsync(["verify", "--json", .. Regions]);

        Assert.True(json.ExitCode == 1, json.ToString());
        using (var document = JsonDocument.Parse(json.Output))
        {
            var entries = document.RootElement.GetProperty("entries").EnumerateArray().ToList();
            var unlisted = Assert.Single(entries, e => e.GetProperty("status").GetString() == "ReferrersUnlisted");
            Assert.Equal(("cached", "v1", image.Digest), (unlisted.GetProperty("repository").GetString(), unlisted.GetProperty("tag").GetString(), unlisted.GetProperty("sourceDigest").GetString()));
            Assert.Contains("UnableToListUpstreamImageReferrersException", unlisted.GetProperty("reason").GetString(), StringComparison.Ordinal);
            Assert.Contains("upstream credentials refused", unlisted.GetProperty("reason").GetString(), StringComparison.Ordinal);
            Assert.Equal(
                [("cached", "InSync"), ("plain", "InSync")],
                entries.Where(e => e.GetProperty("status").GetString() != "ReferrersUnlisted").Select(e => (e.GetProperty("repository").GetString()!, e.GetProperty("status").GetString()!)).Order());
        }

        h.Server.Faults.FailNext("ListImageReferrers", 1, Unlistable, 400, region: CliHarness.Source, message: "upstream credentials refused");
        var table = await h.RunAsync(["verify", .. Regions]);

        Assert.True(table.ExitCode == 1, table.ToString());
        Assert.Contains("referrers not listed", table.Output, StringComparison.Ordinal);
        Assert.Contains(", 1 with referrers not listed of 3", table.Output, StringComparison.Ordinal);
        Assert.Contains("referrers not listed: cached (v1): ", table.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Referrers_of_an_image_the_destination_lacks_are_reported_missing()
    {
        // The destination repository exists but not the subject: its listing holds neither the image nor the
        // referrer, so both are differences, and verify does not stop (it asks the destination no ListImageReferrers,
        // whose answer for a subject not held the model leaves to an empty list: docs/fidelity.md).
        await using var h = await CliHarness.StartAsync();
        var builder = new SampleImageBuilder(seed: 44);
        var image = builder.Image(SampleFormat.Oci, [1024]);
        var sbom = builder.Artifact(image.Root);
        await h.PushAsync(CliHarness.Source, "app", image, "v1");
        await h.PushAsync(CliHarness.Source, "app", sbom, null);
        await h.Client(CliHarness.West).CreateRepositoryAsync(new() { RepositoryName = "app" });

        var drift = await h.RunAsync(["verify", "--json", .. Regions]);

        Assert.True(drift.ExitCode == 1, drift.ToString());
        using var document = JsonDocument.Parse(drift.Output);
        var entries = document.RootElement.GetProperty("entries").EnumerateArray().ToList();
        var referrer = Assert.Single(entries, e => e.TryGetProperty("subjectDigest", out _));
        Assert.Equal("Missing", referrer.GetProperty("status").GetString());
        Assert.Equal(sbom.Digest, referrer.GetProperty("sourceDigest").GetString());
        var tag = Assert.Single(entries, e => !e.TryGetProperty("subjectDigest", out _));
        Assert.Equal("Missing", tag.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Verify_asks_ListImageReferrers_only_about_subjects_the_listing_names_referrers_of()
    {
        // 30 images without referrers and one signed image whose signature is signed in turn. Before, verify asked
        // ListImageReferrers about every selected image and every referrer found in the source (33 calls), and about
        // each subject in the destination (2): one call per image, millions over a large registry. Now both listings
        // name each referrer's subject (subjectManifestDigest), so only the two subjects that have referrers are
        // asked, in the source, for their referrers' artifactType; the destination is asked nothing per subject.
        await using var h = await CliHarness.StartAsync();
        for (var i = 0; i < 30; i++)
        {
            await h.PushAsync(CliHarness.Source, "fleet", CliHarness.Single(100 + (ulong)i), $"v{i}");
        }

        var builder = new SampleImageBuilder(seed: 48);
        var image = builder.Image(SampleFormat.Oci, [1024]);
        var signature = builder.Artifact(image.Root, "application/vnd.cncf.notary.signature", 256);
        var countersignature = builder.Artifact(signature.Root, "application/vnd.dev.sigstore.bundle.v0.3+json", 128);
        await h.PushAsync(CliHarness.Source, "fleet", image, "signed");
        await h.PushAsync(CliHarness.Source, "fleet", signature, null);
        await h.PushAsync(CliHarness.Source, "fleet", countersignature, null);
        var sync = await h.RunAsync(["sync", .. Regions]);
        Assert.True(sync.ExitCode == 0, sync.ToString());
        h.Server.Calls.Reset();

        var verify = await h.RunAsync(["verify", "--json", .. Regions]);

        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Equal(2, h.Server.Calls.Count(CliHarness.Source, "ListImageReferrers"));
        Assert.Equal(0, h.Server.Calls.Count(CliHarness.West, "ListImageReferrers"));
        using (var document = JsonDocument.Parse(verify.Output))
        {
            var referrers = document.RootElement.GetProperty("entries").EnumerateArray().Where(e => e.TryGetProperty("subjectDigest", out _)).ToList();
            (string?, string?, string?, string?)[] expected =
            [
                (image.Digest, signature.Digest, "application/vnd.cncf.notary.signature", "InSync"),
                (signature.Digest, countersignature.Digest, "application/vnd.dev.sigstore.bundle.v0.3+json", "InSync"),
            ];
            Assert.Equal(
                expected.Order(),
                referrers.Select(e => (e.GetProperty("subjectDigest").GetString(), e.GetProperty("sourceDigest").GetString(), e.GetProperty("artifactType").GetString(), e.GetProperty("status").GetString())).Order());
            Assert.Equal(33, document.RootElement.GetProperty("entries").EnumerateArray().Count(e => e.GetProperty("status").GetString() == "InSync"));
        }

        // A countersignature deleted from the destination is missing, read from the destination's listing alone.
        await h.Client(CliHarness.West).BatchDeleteImageAsync(new() { RepositoryName = "fleet", ImageIds = [new() { ImageDigest = countersignature.Digest }] });
        h.Server.Calls.Reset();

        var drift = await h.RunAsync(["verify", "--json", .. Regions]);

        Assert.True(drift.ExitCode == 1, drift.ToString());
        Assert.Equal(0, h.Server.Calls.Count(CliHarness.West, "ListImageReferrers"));
        using (var document = JsonDocument.Parse(drift.Output))
        {
            var missing = Assert.Single(document.RootElement.GetProperty("entries").EnumerateArray(), e => e.GetProperty("status").GetString() == "Missing");
            Assert.Equal((signature.Digest, countersignature.Digest, "signed"), (missing.GetProperty("subjectDigest").GetString(), missing.GetProperty("sourceDigest").GetString(), missing.GetProperty("tag").GetString()));
        }
    }

    [Fact]
    public async Task Verify_asks_every_subject_where_the_listing_names_no_subject_but_holds_an_artifact()
    {
        // The reconciler's fallback (SubjectReferrers.Trusted): an OCI artifact in the repository and no image naming a
        // subject gives reason to doubt that ECR filled subjectManifestDigest, so every selected image is asked.
        await using var h = await CliHarness.StartAsync();
        for (var i = 0; i < 3; i++)
        {
            await h.PushAsync(CliHarness.Source, "charts", CliHarness.Single(200 + (ulong)i), $"v{i}");
        }

        await h.PushAsync(CliHarness.Source, "charts", WithoutSubject(new SampleImageBuilder(seed: 49)), null);
        var sync = await h.RunAsync(["sync", .. Regions]);
        Assert.True(sync.ExitCode == 0, sync.ToString());
        h.Server.Calls.Reset();

        var verify = await h.RunAsync(["verify", .. Regions]);

        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Equal(3, h.Server.Calls.Count(CliHarness.Source, "ListImageReferrers"));
    }

    /// <summary>
    /// The other reading of the known unknown: an ECR whose DescribeImages names no referrer's subject, in the source
    /// and in the destination alike. The signature is an OCI artifact no listed image ties to a subject, so the source
    /// falls back to ListImageReferrers; the destination is read from its listing's digests, asked nothing per subject,
    /// and the referrer is compared as it is with the field: in sync after the sync, missing once deleted from the
    /// destination. (Before, the destination's listing was not trusted either and was asked ListImageReferrers.)
    /// </summary>
    [Fact]
    public async Task Verify_compares_referrers_when_no_listing_names_a_subject_asking_ListImageReferrers_of_the_source_only()
    {
        await using var h = await CliHarness.StartAsync(null, o => o.DescribeImagesOmitsSubjectManifestDigest = true);
        var builder = new SampleImageBuilder(seed: 47);
        var image = builder.Image(SampleFormat.Oci, [1024]);
        var signature = builder.Artifact(image.Root, "application/vnd.cncf.notary.signature", 512);
        await h.PushAsync(CliHarness.Source, "app", image, "v1");
        await h.PushAsync(CliHarness.Source, "app", signature, null);
        var sync = await h.RunAsync(["sync", .. Regions]);
        Assert.True(sync.ExitCode == 0, sync.ToString());
        h.Server.Calls.Reset();

        var inSync = await h.RunAsync(["verify", .. Regions]);

        Assert.True(inSync.ExitCode == 0, inSync.ToString());
        Assert.Contains("in sync: 1 tag(s) and 1 referrer(s) checked", inSync.Output, StringComparison.Ordinal);
        Assert.True(h.Server.Calls.Count(CliHarness.Source, "ListImageReferrers") > 0, "the source's listing was trusted without a subject in it");
        Assert.Equal(0, h.Server.Calls.Count(CliHarness.West, "ListImageReferrers"));

        await h.Client(CliHarness.West).BatchDeleteImageAsync(new Replicator.Core.Ecr.Model.BatchDeleteImageRequest
        {
            RepositoryName = "app",
            ImageIds = [new Replicator.Core.Ecr.Model.ImageIdentifier { ImageDigest = signature.Digest }],
        });
        var drift = await h.RunAsync(["verify", "--json", .. Regions]);

        Assert.True(drift.ExitCode == 1, drift.ToString());
        using var document = JsonDocument.Parse(drift.Output);
        var missing = Assert.Single(document.RootElement.GetProperty("entries").EnumerateArray(), e => e.GetProperty("status").GetString() == "Missing");
        Assert.Equal(signature.Digest, missing.GetProperty("sourceDigest").GetString());
        Assert.Equal(image.Digest, missing.GetProperty("subjectDigest").GetString());
    }

    /// <summary>
    /// An image with two referrers: a signature (an OCI artifact, its config the OCI empty config) and an attestation
    /// pushed as an image manifest (an image's config, so its listing does not mark it an artifact). The destination
    /// holds the image and the attestation only. Where ECR leaves subjectManifestDigest out
    /// (<see cref="LocalEcr.LocalEcrOptions.DescribeImagesOmitsSubjectManifestDigest"/>), the destination's listing
    /// names no subject and holds no OCI artifact: before, verify trusted it to name every referrer's subject, found
    /// none held, and reported the attestation it holds missing too (two Missing). A referrer's digest fixes its
    /// subject, so the destination's digests tell which it holds, under either reading, without a call per subject.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Verify_finds_a_referrer_with_an_image_config_that_the_destination_holds_whichever_way_ecr_fills_subjectManifestDigest(bool omitsSubject)
    {
        await using var h = await CliHarness.StartAsync(null, o => o.DescribeImagesOmitsSubjectManifestDigest = omitsSubject);
        var builder = new SampleImageBuilder(seed: 51);
        var image = builder.Image(SampleFormat.Oci, [1024]);
        var signature = builder.Artifact(image.Root, "application/vnd.cncf.notary.signature", 256);
        var attestation = builder.ImageWithSubject(image.Root);
        foreach (var region in new[] { CliHarness.Source, CliHarness.West })
        {
            await h.PushAsync(region, "app", image, "v1");
            await h.PushAsync(region, "app", attestation, null);
        }

        await h.PushAsync(CliHarness.Source, "app", signature, null);
        h.Server.Calls.Reset();

        var drift = await h.RunAsync(["verify", "--json", .. Regions]);

        Assert.True(drift.ExitCode == 1, drift.ToString());
        Assert.Equal(0, h.Server.Calls.Count(CliHarness.West, "ListImageReferrers"));
        using var document = JsonDocument.Parse(drift.Output);
        (string?, string?, string?, string?)[] expected =
        [
            (image.Digest, attestation.Digest, MediaTypes.OciConfig, "InSync"),
            (image.Digest, signature.Digest, "application/vnd.cncf.notary.signature", "Missing"),
        ];
        Assert.Equal(
            expected.Order(),
            document.RootElement.GetProperty("entries").EnumerateArray().Where(e => e.TryGetProperty("subjectDigest", out _))
                .Select(e => (e.GetProperty("subjectDigest").GetString(), e.GetProperty("sourceDigest").GetString(), e.GetProperty("artifactType").GetString(), e.GetProperty("status").GetString())).Order());
        var tag = Assert.Single(document.RootElement.GetProperty("entries").EnumerateArray(), e => !e.TryGetProperty("subjectDigest", out _));
        Assert.Equal("InSync", tag.GetProperty("status").GetString());
    }

    /// <summary>
    /// The destination lacks one of two signed images and holds the other with its signature: an OCI artifact and, where
    /// ECR leaves subjectManifestDigest out, no subject named. Before, that listing was not trusted and the destination was
    /// asked ListImageReferrers about each subject, the one it lacks included, whose answer for a subject not held only
    /// the model's silence makes an empty list (docs/fidelity.md, "ListImageReferrers of a missing subject"). Now it is
    /// asked nothing per subject: the image it lacks and that image's signature are missing, the rest in sync.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Verify_asks_the_destination_nothing_about_a_subject_it_lacks_whichever_way_ecr_fills_subjectManifestDigest(bool omitsSubject)
    {
        await using var h = await CliHarness.StartAsync(null, o => o.DescribeImagesOmitsSubjectManifestDigest = omitsSubject);
        var builder = new SampleImageBuilder(seed: 52);
        var held = builder.Image(SampleFormat.Oci, [1024]);
        var lacked = builder.Image(SampleFormat.Oci, [2048]);
        var heldSignature = builder.Artifact(held.Root, "application/vnd.cncf.notary.signature", 256);
        var lackedSignature = builder.Artifact(lacked.Root, "application/vnd.cncf.notary.signature", 256);
        await h.PushAsync(CliHarness.Source, "app", held, "v1");
        await h.PushAsync(CliHarness.Source, "app", heldSignature, null);
        await h.PushAsync(CliHarness.Source, "app", lacked, "v2");
        await h.PushAsync(CliHarness.Source, "app", lackedSignature, null);
        await h.PushAsync(CliHarness.West, "app", held, "v1");
        await h.PushAsync(CliHarness.West, "app", heldSignature, null);
        h.Server.Calls.Reset();

        var drift = await h.RunAsync(["verify", "--json", .. Regions]);

        Assert.True(drift.ExitCode == 1, drift.ToString());
        Assert.Equal(0, h.Server.Calls.Count(CliHarness.West, "ListImageReferrers"));
        using var document = JsonDocument.Parse(drift.Output);
        (string?, string?, string?)[] expected =
        [
            ("v1", held.Digest, "InSync"),
            ("v1", heldSignature.Digest, "InSync"),
            ("v2", lacked.Digest, "Missing"),
            ("v2", lackedSignature.Digest, "Missing"),
        ];
        Assert.Equal(
            expected.Order(),
            document.RootElement.GetProperty("entries").EnumerateArray()
                .Select(e => (e.GetProperty("tag").GetString(), e.GetProperty("sourceDigest").GetString(), e.GetProperty("status").GetString())).Order());
    }

    [Fact]
    public async Task Verify_stops_the_walk_below_one_image_at_the_reconcilers_bound_and_says_so()
    {
        // Before, the walk had no bound: every referrer found was asked about in turn (1,001 calls here, one per
        // referrer), however many there were.
        await using var h = await CliHarness.StartAsync();
        var builder = new SampleImageBuilder(seed: 50);
        var image = builder.Image(SampleFormat.Oci, [512]);
        await h.PushAsync(CliHarness.Source, "noisy", image, "v1");
        for (var i = 0; i <= DriftScanner.MaxReferrers; i++)
        {
            await h.PushAsync(CliHarness.Source, "noisy", builder.Artifact(image.Root, $"application/vnd.example.note.{i}", 8), null);
        }

        h.Server.Calls.Reset();

        var verify = await h.RunAsync(["verify", "--json", .. Regions]);

        Assert.True(verify.ExitCode == 1, verify.ToString());
        // 50 a page: the pages up to the one past the bound (21), and no referrer is asked about.
        Assert.Equal(21, h.Server.Calls.Count(CliHarness.Source, "ListImageReferrers"));
        using var document = JsonDocument.Parse(verify.Output);
        var entries = document.RootElement.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(DriftScanner.MaxReferrers, entries.Count(e => e.TryGetProperty("subjectDigest", out _)));
        var capped = Assert.Single(entries, e => e.GetProperty("status").GetString() == "ReferrersUnlisted");
        Assert.Contains("more than 1000 referrers", capped.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    /// <summary>An OCI artifact that names no subject (a chart, say): its config is the OCI empty config, its type its own.</summary>
    private static SampleImage WithoutSubject(SampleImageBuilder builder)
    {
        var blobs = builder.Artifact(builder.Image(SampleFormat.Oci, [256]).Root, "application/vnd.cncf.helm.chart.content.v1.tar+gzip", 128).Blobs;
        var (config, layer) = (blobs[0], blobs[1]);
        var json = $$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.OciManifest}}","artifactType":"application/vnd.cncf.helm.chart.content.v1.tar+gzip","config":{"mediaType":"{{config.MediaType}}","digest":"{{config.Digest}}","size":{{config.Size}}},"layers":[{"mediaType":"{{layer.MediaType}}","digest":"{{layer.Digest}}","size":{{layer.Size}}}]}""";
        return new SampleImage(blobs, [new SampleManifest(Digest.Compute(System.Text.Encoding.UTF8.GetBytes(json)), MediaTypes.OciManifest, json)]);
    }
}
