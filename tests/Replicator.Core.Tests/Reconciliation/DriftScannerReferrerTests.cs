using System.Globalization;
using Moq;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Reconciliation;
using Replicator.Core.Replication;
using Replicator.Core.Tests.Replication;
using Replicator.Samples;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Reconciliation;

/// <summary>
/// The scanner finds referrers from the source listing's <c>subjectManifestDigest</c> (no ListImageReferrers call per
/// held subject), finds the same drift as the per-subject calls, and falls back to them for a repository whose listing
/// gives a reason to doubt the field.
/// </summary>
public sealed class DriftScannerReferrerTests
{
    private const string Cosign = "application/vnd.dev.cosign.artifact.sig.v1+json";

    private sealed record Registry(IReadOnlyList<string> Drift);

    /// <summary>
    /// Replicated to West, then signed in the source only: a signature of an SBOM West holds (nested), a second signature
    /// of an image, a signature of one platform of an index; a signed index and a plain image with nothing missing.
    /// </summary>
    private static async Task<Registry> RegistryAsync(EngineHarness h)
    {
        var builder = new SampleImageBuilder(seed: 4401);
        var image = builder.Image(SampleFormat.Oci, [700]);
        var sbom = builder.Artifact(image.Root);
        await h.PushAsync(Source, "signed", image, "v1");
        await h.PushAsync(Source, "signed", sbom, null);
        await ReplicateAsync(h, "signed", image.Digest, "v1");
        var sbomSignature = builder.Artifact(sbom.Root, "application/vnd.dev.sigstore.bundle.v0.3+json", 256);
        var imageSignature = builder.Artifact(image.Root, "application/vnd.cncf.notary.signature", 512);
        await h.PushAsync(Source, "signed", sbomSignature, null);
        await h.PushAsync(Source, "signed", imageSignature, null);

        var multi = builder.MultiArch(SampleFormat.Oci, [600]);
        await h.PushAsync(Source, "multi", multi, "v1");
        await ReplicateAsync(h, "multi", multi.Digest, "v1");
        var platformSignature = builder.Artifact(multi.Manifests[0], Cosign, 300);
        await h.PushAsync(Source, "multi", platformSignature, null);

        var signedIndex = builder.MultiArch(SampleFormat.Oci, [500]);
        await h.PushAsync(Source, "signed-index", signedIndex, "v1");
        await h.PushAsync(Source, "signed-index", builder.Artifact(signedIndex.Root, Cosign, 200), null);
        await ReplicateAsync(h, "signed-index", signedIndex.Digest, "v1");

        var plain = builder.Image(SampleFormat.Docker, [400]);
        await h.PushAsync(Source, "plain", plain, "v1");
        await ReplicateAsync(h, "plain", plain.Digest, "v1");

        return new Registry([.. new[] { sbomSignature.Digest, imageSignature.Digest, platformSignature.Digest }.Order(StringComparer.Ordinal)]);
    }

    private static async Task ReplicateAsync(EngineHarness h, string repository, string digest, string tag) =>
        Assert.True((await h.Replicator().ReplicateAsync(Request(repository, digest, tag, West), CancellationToken.None)).Succeeded);

    private static DriftScanner Scanner(EngineHarness h, IEcrClient source, IReadOnlyList<ReplicationDestination>? destinations = null, RepositoryMapping? mapping = null, IDestinationClients? destinationClients = null, DriftSelection? selection = null) =>
        new(source, destinationClients ?? new SourceCredentialsDestinationClients(h.Clients), destinations ?? [new ReplicationDestination(West)], mapping ?? RepositoryMapping.Identity, selection ?? new DriftSelection());

    /// <summary>A whole pass, as the reconciler drives it: every repository, its deleted tags and every digest's drift.</summary>
    private static async Task<List<DriftItem>> PassAsync(DriftScanner scanner, List<RepositoryScan>? scans = null)
    {
        var run = new DriftScanRun(Source);
        var drift = new List<DriftItem>();
        foreach (var repository in await scanner.RepositoriesAsync(CancellationToken.None))
        {
            var scan = await scanner.ScanAsync(repository, run, null, CancellationToken.None);
            Assert.NotNull(scan);
            scans?.Add(scan);
            drift.AddRange(scanner.DeletedTags(scan));
            foreach (var digest in scan.Digests)
            {
                drift.AddRange((await scanner.DigestDriftAsync(scan, run, digest, null, CancellationToken.None)).Items);
            }
        }

        return drift;
    }

    [Fact]
    public async Task With_subjects_in_the_listing_held_digests_need_no_ListImageReferrers_and_the_drift_is_the_same_as_with_them()
    {
        await using var h = await StartAsync();
        var registry = await RegistryAsync(h);
        var listed = new RecordingEcrClient(h.Client(Source));
        var asked = new RecordingEcrClient(h.Client(Source)) { WithoutSubjects = true };

        var fromListing = await PassAsync(Scanner(h, listed));
        var fromCalls = await PassAsync(Scanner(h, asked));

        // The nested signature (of the SBOM West holds), the image's second signature and the platform's signature.
        Assert.Equal(registry.Drift, fromListing.Select(d => d.Digest).Order(StringComparer.Ordinal));
        Assert.All(fromListing, d => Assert.Equal(DriftKind.MissingReferrer, d.Kind));
        Assert.Equal(fromCalls.Select(d => (d.Repository, d.Digest, d.Kind)).Order(), fromListing.Select(d => (d.Repository, d.Digest, d.Kind)).Order());

        Assert.Equal(0, listed.Count("ListImageReferrers"));

        // No index's children are read: the signed platform of multi is an untagged subject of its own in the listing,
        // walked because West holds it.
        Assert.DoesNotContain(listed.Calls, c => c.Operation == "BatchGetImage");
        Assert.Equal(["multi", "signed", "signed-index"], asked.Calls.Where(c => c.Operation == "ListImageReferrers").Select(c => c.Repository).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_selection_by_push_time_still_finds_the_signature_of_one_platform_of_a_selected_index()
    {
        // sync --enqueue --since: the untagged subjects are left out of such a selection, so the platform signed on its
        // own (cosign sign --recursive) is reached through its index, whose children are then read.
        await using var h = await StartAsync();
        var registry = await RegistryAsync(h);
        var source = new RecordingEcrClient(h.Client(Source));

        var drift = await PassAsync(Scanner(h, source, selection: new DriftSelection { IncludeImage = _ => true }));

        Assert.Equal(registry.Drift, drift.Select(d => d.Digest).Order(StringComparer.Ordinal));
        Assert.Equal(0, source.Count("ListImageReferrers"));
        Assert.Equal(["multi", "signed-index"], source.Calls.Where(c => c.Operation == "BatchGetImage").Select(c => c.Repository).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Without_subjects_a_repository_holding_artifacts_falls_back_to_ListImageReferrers_and_one_without_artifacts_needs_none()
    {
        await using var h = await StartAsync();
        var registry = await RegistryAsync(h);
        var source = new RecordingEcrClient(h.Client(Source)) { WithoutSubjects = true };
        var scans = new List<RepositoryScan>();

        var drift = await PassAsync(Scanner(h, source), scans);

        Assert.Equal(registry.Drift, drift.Select(d => d.Digest).Order(StringComparer.Ordinal));

        // signed: the image, then each held referrer (the SBOM; the nested signature is not held, so not walked).
        Assert.Equal(2, source.Calls.Count(c => c.Operation == "ListImageReferrers" && c.Repository == "signed"));

        // multi: the index and its two children (one per platform).
        Assert.Equal(3, source.Calls.Count(c => c.Operation == "ListImageReferrers" && c.Repository == "multi"));
        Assert.DoesNotContain(source.Calls, c => c.Repository == "plain" && c.Operation is "ListImageReferrers" or "BatchGetImage");
        Assert.Equal(["plain"], scans.Where(s => s.Referrers is not null).Select(s => s.Repository));
    }

    [Fact]
    public async Task A_destination_in_the_sources_own_account_and_region_is_neither_listed_nor_given_drift()
    {
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 4402);
        var image = builder.Image(SampleFormat.Oci, [300]);
        await h.PushAsync(Source, "team/app", image, "v1");

        // West holds it under the mapped name; the source's own region would be a second copy in the same registry.
        await h.PushAsync(West, "mirror/team/app", image, "v1");
        var own = new ReplicationDestination(Source, Account);
        var clients = new RecordingDestinationClients(new SourceCredentialsDestinationClients(h.Clients));
        var scanner = Scanner(h, h.Client(Source), [new ReplicationDestination(West), own], RepositoryMapping.Parse("team/=mirror/team/"), clients);
        var scans = new List<RepositoryScan>();

        var drift = await PassAsync(scanner, scans);

        Assert.Empty(drift);
        Assert.DoesNotContain(own, clients.Asked);
        var scan = Assert.Single(scans);
        Assert.Equal([new ReplicationDestination(West)], scan.Destinations.Select(d => d.Destination));
        Assert.Empty(scan.FailedDestinations);
    }

    [Fact]
    public async Task A_digest_whose_referrers_the_source_will_not_list_is_passed_over_and_the_next_digest_is_walked()
    {
        // A pull-through cache repository whose upstream cannot list referrers answers
        // UnableToListUpstreamImageReferrersException (botocore's ECR model), on every pass: before, the scan threw at
        // the first digest and no digest after it was ever compared.
        await using var h = await StartAsync();
        var signatures = new List<string>();
        foreach (var (tag, seed) in new[] { ("v1", 4403UL), ("v2", 4405UL) })
        {
            // A builder's images depend on its seed and shape only: one builder for each image.
            var builder = new SampleImageBuilder(seed);
            var image = builder.Image(SampleFormat.Oci, [300]);
            await h.PushAsync(Source, "cached", image, tag);
            await ReplicateAsync(h, "cached", image.Digest, tag);
            var signature = builder.Artifact(image.Root, Cosign, 100);
            await h.PushAsync(Source, "cached", signature, null);
            signatures.Add(signature.Digest);
        }

        var scanner = Scanner(h, new RecordingEcrClient(h.Client(Source)) { WithoutSubjects = true });
        var run = new DriftScanRun(Source);
        var scan = await scanner.ScanAsync("cached", run, null, CancellationToken.None);
        Assert.NotNull(scan);
        Assert.Null(scan.Referrers);

        // The first digest's listing is refused; the second's answers.
        h.Server.Faults.FailNext("ListImageReferrers", 1, EcrErrorCodes.UnableToListUpstreamImageReferrersException, 400, region: Source);
        var drifts = new List<DigestDrift>();
        foreach (var digest in scan.Digests)
        {
            drifts.Add(await scanner.DigestDriftAsync(scan, run, digest, null, CancellationToken.None));
        }

        Assert.Equal(2, drifts.Count);
        var unlisted = drifts[0].ReferrersUnlisted;
        Assert.NotNull(unlisted);
        Assert.Equal((1, EcrErrorCodes.UnableToListUpstreamImageReferrersException), (unlisted.Subjects, unlisted.ErrorCode));
        Assert.Empty(drifts[0].Items);
        Assert.Null(drifts[1].ReferrersUnlisted);
        var item = Assert.Single(drifts[1].Items);
        Assert.Equal(DriftKind.MissingReferrer, item.Kind);
        Assert.Contains(item.Digest, signatures);
    }

    [Fact]
    public async Task A_transient_failure_to_list_referrers_still_fails_the_digest()
    {
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 4404);
        var image = builder.Image(SampleFormat.Oci, [300]);
        await h.PushAsync(Source, "flaky", image, "v1");
        await ReplicateAsync(h, "flaky", image.Digest, "v1");
        await h.PushAsync(Source, "flaky", builder.Artifact(image.Root, Cosign, 100), null);
        var scanner = Scanner(h, new RecordingEcrClient(h.Client(Source)) { WithoutSubjects = true });
        var run = new DriftScanRun(Source);
        var scan = await scanner.ScanAsync("flaky", run, null, CancellationToken.None);
        Assert.NotNull(scan);

        h.Server.Faults.FailNext("ListImageReferrers", 1, "ServerException", 500, region: Source);

        var error = await Assert.ThrowsAsync<EcrException>(() => scanner.DigestDriftAsync(scan, run, image.Digest, null, CancellationToken.None));
        Assert.True(error.IsTransient);
    }

    /// <summary>
    /// The bound counts the referrers below one subject, nested ones included: a graph of exactly
    /// <see cref="DriftScanner.MaxReferrers"/> is walked to its end. Here 999 signatures the destination holds, and below
    /// the first of them one it lacks, the 1,000th referrer. From the listing alone: no read.
    /// </summary>
    [Fact]
    public async Task A_referrer_graph_of_exactly_the_bound_is_walked_to_its_last_referrer()
    {
        static string DigestOf(int i) => "sha256:" + i.ToString("x64", CultureInfo.InvariantCulture);
        var subject = DigestOf(0);
        var held = Enumerable.Range(1, DriftScanner.MaxReferrers - 1).Select(DigestOf).ToList();
        var nested = DigestOf(DriftScanner.MaxReferrers);
        var referrers = new SubjectReferrers();
        referrers.Add(new ImageDetail { ImageDigest = subject, ImageStatus = ImageStatus.Active });
        foreach (var digest in held)
        {
            referrers.Add(new ImageDetail { ImageDigest = digest, ImageStatus = ImageStatus.Active, ArtifactMediaType = Cosign, SubjectManifestDigest = subject });
        }

        referrers.Add(new ImageDetail { ImageDigest = nested, ImageStatus = ImageStatus.Active, ArtifactMediaType = Cosign, SubjectManifestDigest = held[0] });
        var west = new ReplicationDestination(West);
        var listing = RepositoryListing.From([new ImageIdentifier { ImageDigest = subject, ImageTag = "v1" }, .. held.Select(d => new ImageIdentifier { ImageDigest = d })]);

        var drift = await ListingOnlyScanner(west).DigestDriftAsync(ScanOf(subject, referrers, new DestinationListing(west, listing)), new DriftScanRun(Source), subject, null, CancellationToken.None);

        var item = Assert.Single(drift.Items);
        Assert.Equal((nested, DriftKind.MissingReferrer), (item.Digest, item.Kind));
        Assert.Equal([west], item.Destinations);
    }

    /// <summary>
    /// The stop is asked before each further subject of a walk, not before the first (DriftScanner.DigestDriftAsync),
    /// as a listing asks it only from its second page on: every call makes progress, so a digest the reconciler started
    /// just before its stop time still has its subject's own referrers compared.
    /// </summary>
    [Fact]
    public async Task A_stop_requested_before_a_walk_still_compares_its_first_subject_and_stops_at_the_next()
    {
        const string Subject = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
        const string Missing = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
        const string Held = "sha256:3333333333333333333333333333333333333333333333333333333333333333";
        var referrers = new SubjectReferrers();
        referrers.Add(new ImageDetail { ImageDigest = Subject, ImageStatus = ImageStatus.Active });
        referrers.Add(new ImageDetail { ImageDigest = Missing, ImageStatus = ImageStatus.Active, ArtifactMediaType = Cosign, SubjectManifestDigest = Subject });
        var west = new ReplicationDestination(West);
        var listing = RepositoryListing.From([new ImageIdentifier { ImageDigest = Subject, ImageTag = "v1" }, new ImageIdentifier { ImageDigest = Held }]);
        var scanner = ListingOnlyScanner(west);
        var run = new DriftScanRun(Source);

        var drift = await scanner.DigestDriftAsync(ScanOf(Subject, referrers, new DestinationListing(west, listing)), run, Subject, () => true, CancellationToken.None);

        Assert.Equal([Missing], drift.Items.Select(i => i.Digest));

        // With a held referrer the walk has a further subject, where the stop is honoured.
        referrers.Add(new ImageDetail { ImageDigest = Held, ImageStatus = ImageStatus.Active, ArtifactMediaType = Cosign, SubjectManifestDigest = Subject });
        await Assert.ThrowsAsync<ScanStoppedException>(() => scanner.DigestDriftAsync(ScanOf(Subject, referrers, new DestinationListing(west, listing)), run, Subject, () => true, CancellationToken.None));
    }

    /// <summary>A scanner whose reads would fail the test: for walks the source listing's referrers answer alone.</summary>
    private static DriftScanner ListingOnlyScanner(ReplicationDestination destination) =>
        new(new Mock<IEcrClient>(MockBehavior.Strict).Object, new Mock<IDestinationClients>(MockBehavior.Strict).Object, [destination], RepositoryMapping.Identity, new DriftSelection());

    /// <summary>Repository "signed", whose <paramref name="subject"/> is tagged v1, with its listing's referrers.</summary>
    private static RepositoryScan ScanOf(string subject, SubjectReferrers referrers, DestinationListing destination) =>
        new("signed", Account, new HashSet<string>(StringComparer.Ordinal) { "v1" }, new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal) { [subject] = ["v1"] }, [destination])
        {
            Referrers = referrers,
        };

    /// <summary>Records the destinations a client is asked for.</summary>
    private sealed class RecordingDestinationClients(IDestinationClients inner) : IDestinationClients
    {
        public List<ReplicationDestination> Asked { get; } = [];

        public IEcrClient GetClient(ReplicationDestination destination, string? sourceAccount)
        {
            Asked.Add(destination);
            return inner.GetClient(destination, sourceAccount);
        }

        public bool WritesWithSourceCredentials(ReplicationDestination destination, string? sourceAccount) =>
            inner.WritesWithSourceCredentials(destination, sourceAccount);

        public bool SignsWithStoredKey(ReplicationDestination destination, string? sourceAccount) =>
            inner.SignsWithStoredKey(destination, sourceAccount);
    }
}
