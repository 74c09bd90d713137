using Moq;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;
using Replicator.Core.Reconciliation;
using Replicator.Core.Replication;
using Replicator.Core.Tests.Replication;
using Replicator.Samples;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Reconciliation;

/// <summary>
/// What a <see cref="DriftScanRun"/> keeps across the repositories of one pass, and the reads a scan makes or spares.
/// </summary>
public sealed class DriftScannerPassTests
{
    private const string Cosign = "application/vnd.dev.cosign.artifact.sig.v1+json";
    private const string A = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string B = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private const string C = "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";

    /// <summary>
    /// Credentials are the same for every repository: a destination whose credentials cannot be had is tried once a pass,
    /// not once a repository (a throttled STS made worse), and again in the next pass.
    /// </summary>
    [Fact]
    public async Task A_destination_without_credentials_is_tried_once_a_pass()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 4413).Image(SampleFormat.Oci, [300]);
        await h.PushAsync(Source, "first", image, "v1");
        await h.PushAsync(Source, "second", image, "v1");
        var clients = new RefusingDestinationClients(
            h, Europe, d => new ReplicationException(ReplicationErrorCodes.DestinationCredentialsUnavailable, $"no credentials for {d}", isTransient: true));
        var scanner = new DriftScanner(h.Client(Source), clients, [new(West), new(Europe)], RepositoryMapping.Identity, new DriftSelection());
        var run = new DriftScanRun(Source);

        var first = await scanner.ScanAsync("first", run, null, CancellationToken.None);
        var second = await scanner.ScanAsync("second", run, null, CancellationToken.None);

        Assert.True(Assert.Single(first!.FailedDestinations).CredentialsUnavailable);
        Assert.Empty(second!.FailedDestinations);
        Assert.Equal([new ReplicationDestination(West)], second.Destinations.Select(d => d.Destination));
        Assert.Equal(1, clients.Refusals);

        var nextPass = await scanner.ScanAsync("second", new DriftScanRun(Source), null, CancellationToken.None);
        Assert.Single(nextPass!.FailedDestinations);
        Assert.Equal(2, clients.Refusals);
    }

    /// <summary>
    /// An empty repository names no account; only an ACCOUNT:REGION destination needs it, so with bare regions alone
    /// the scan asks no DescribeRepositories for it.
    /// </summary>
    [Fact]
    public async Task An_empty_repository_costs_no_account_lookup_when_no_destination_names_an_account()
    {
        await using var h = await StartAsync();
        await h.Client(Source).CreateRepositoryAsync(new CreateRepositoryRequest { RepositoryName = "empty" });
        var scanner = new DriftScanner(h.Client(Source), new SourceCredentialsDestinationClients(h.Clients), [new(West)], RepositoryMapping.Identity, new DriftSelection());

        var scan = await scanner.ScanAsync("empty", new DriftScanRun(Source), null, CancellationToken.None);

        Assert.NotNull(scan);
        Assert.Null(scan.RegistryId);
        Assert.Empty(scan.Digests);
        Assert.Equal(0, h.Calls(Source, "DescribeRepositories"));
    }

    /// <summary>
    /// The stop is asked before each further page of a listing, not before the first (DriftScanner.ScanAsync): every
    /// scan makes progress, so a repository of one page started just before the stop time is still listed.
    /// </summary>
    [Fact]
    public async Task A_stop_requested_before_a_scan_still_reads_the_first_page_of_each_listing()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 4414).Image(SampleFormat.Oci, [300]);
        await h.PushAsync(Source, "late", image, "v1");
        await h.PushAsync(West, "late", image, "v1");
        var scanner = new DriftScanner(h.Client(Source), new SourceCredentialsDestinationClients(h.Clients), [new(West)], RepositoryMapping.Identity, new DriftSelection());

        var scan = await scanner.ScanAsync("late", new DriftScanRun(Source), () => true, CancellationToken.None);

        Assert.NotNull(scan);
        Assert.Equal([image.Digest], scan.Digests);
        Assert.Empty(scan.FailedDestinations);
        Assert.True(Assert.Single(scan.Destinations).Listing.Digests.Contains(image.Digest));
    }

    /// <summary>
    /// A destination repository's tag mutability is asked once a repository and destination a pass, however many of its
    /// digests hold a tag elsewhere, and asked again in the next pass, where it may have changed.
    /// </summary>
    [Fact]
    public async Task A_destination_repositorys_tag_mutability_is_asked_once_a_pass()
    {
        var west = new ReplicationDestination(West);
        var destination = new Mock<IEcrClient>(MockBehavior.Strict);
        destination.Setup(c => c.DescribeRepositoriesAsync(It.IsAny<DescribeRepositoriesRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new DescribeRepositoriesResponse { Repositories = [new Repository { RepositoryName = "app", ImageTagMutability = ImageTagMutability.Immutable }] });
        var (scanner, scan) = TagsAtAnotherDigest(west, destination.Object);
        var run = new DriftScanRun(Source);

        var first = await scanner.DigestDriftAsync(scan, run, A, null, CancellationToken.None);
        var second = await scanner.DigestDriftAsync(scan, run, B, null, CancellationToken.None);

        Assert.Equal(["v1", "v2"], first.Conflicts.Concat(second.Conflicts).Select(c => c.Tag));
        destination.Verify(c => c.DescribeRepositoriesAsync(It.IsAny<DescribeRepositoriesRequest>(), It.IsAny<CancellationToken>()), Times.Once);

        await scanner.DigestDriftAsync(scan, new DriftScanRun(Source), A, null, CancellationToken.None);
        destination.Verify(c => c.DescribeRepositoriesAsync(It.IsAny<DescribeRepositoriesRequest>(), It.IsAny<CancellationToken>()), Times.Exactly(2));
    }

    /// <summary>
    /// A destination repository whose tag mutability cannot be read (a role without ecr:DescribeRepositories) counts as
    /// mutable: the tag at another digest stays drift, its event is sent and PutImage judges the tag, rather than the
    /// repository's scan failing or the drift being dropped. The failed read is remembered for the pass like a good one.
    /// </summary>
    [Fact]
    public async Task A_destination_whose_tag_mutability_cannot_be_read_keeps_its_drift_and_is_asked_once_a_pass()
    {
        var west = new ReplicationDestination(West);
        var destination = new Mock<IEcrClient>(MockBehavior.Strict);
        destination.Setup(c => c.DescribeRepositoriesAsync(It.IsAny<DescribeRepositoriesRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new EcrException(EcrErrorCodes.AccessDeniedException, "not authorized to perform: ecr:DescribeRepositories", System.Net.HttpStatusCode.BadRequest));
        var (scanner, scan) = TagsAtAnotherDigest(west, destination.Object);
        var run = new DriftScanRun(Source);

        var first = await scanner.DigestDriftAsync(scan, run, A, null, CancellationToken.None);
        var second = await scanner.DigestDriftAsync(scan, run, B, null, CancellationToken.None);

        Assert.Empty(first.Conflicts.Concat(second.Conflicts));
        Assert.Equal(
            [("v1", DriftKind.DifferentDigest), ("v2", DriftKind.DifferentDigest)],
            first.Items.Concat(second.Items).Select(i => (i.Tag, i.Kind)));
        destination.Verify(c => c.DescribeRepositoriesAsync(It.IsAny<DescribeRepositoriesRequest>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    /// <summary>
    /// A source repository deleted after it was listed (or named and never created) is no scan: the reconciler skips it
    /// rather than reporting every destination's images as drift or failing the pass.
    /// </summary>
    [Fact]
    public async Task A_source_repository_that_does_not_exist_is_no_scan()
    {
        await using var h = await StartAsync();
        var scanner = new DriftScanner(h.Client(Source), new SourceCredentialsDestinationClients(h.Clients), [new(West)], RepositoryMapping.Identity, new DriftSelection());

        Assert.Null(await scanner.ScanAsync("deleted", new DriftScanRun(Source), null, CancellationToken.None));
    }

    /// <summary>
    /// An empty repository names no account, so an ACCOUNT:REGION destination has the source's account looked up; a
    /// repository deleted between its listing and that lookup is no scan, as one deleted before it, and no destination
    /// is listed (or reported as drift) for it.
    /// </summary>
    [Fact]
    public async Task An_empty_repository_deleted_before_its_account_is_looked_up_is_no_scan()
    {
        var source = new Mock<IEcrClient>(MockBehavior.Strict);
        source.Setup(c => c.DescribeImagesAsync(It.IsAny<DescribeImagesRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new DescribeImagesResponse { ImageDetails = [] });
        source.Setup(c => c.DescribeRepositoriesAsync(It.Is<DescribeRepositoriesRequest>(r => r.RepositoryNames!.Single() == "gone"), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new EcrException(EcrErrorCodes.RepositoryNotFoundException, "The repository with name 'gone' does not exist", System.Net.HttpStatusCode.BadRequest));
        var clients = new Mock<IDestinationClients>(MockBehavior.Strict);
        var scanner = new DriftScanner(source.Object, clients.Object, [new ReplicationDestination(West, "222222222222")], RepositoryMapping.Identity, new DriftSelection());

        Assert.Null(await scanner.ScanAsync("gone", new DriftScanRun(Source), null, CancellationToken.None));
        source.Verify(c => c.DescribeRepositoriesAsync(It.IsAny<DescribeRepositoriesRequest>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    /// <summary>
    /// An untagged subject (an image whose tag moved on) that one destination lacks has no event to bring its referrers
    /// along: they are compared in the destinations that hold the subject, and only those are named.
    /// </summary>
    [Fact]
    public async Task The_referrers_of_an_untagged_subject_are_compared_only_where_the_subject_is_held()
    {
        var referrers = new SubjectReferrers();
        referrers.Add(new ImageDetail { ImageDigest = A, ImageStatus = ImageStatus.Active });
        referrers.Add(new ImageDetail { ImageDigest = B, ImageStatus = ImageStatus.Active, ArtifactMediaType = Cosign, SubjectManifestDigest = A });
        var west = new ReplicationDestination(West);
        var europe = new ReplicationDestination(Europe);
        var scanner = new DriftScanner(new Mock<IEcrClient>(MockBehavior.Strict).Object, new Mock<IDestinationClients>(MockBehavior.Strict).Object, [west, europe], RepositoryMapping.Identity, new DriftSelection());
        var scan = new RepositoryScan(
            "signed",
            Account,
            new HashSet<string>(StringComparer.Ordinal),
            new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal),
            [new DestinationListing(west, RepositoryListing.From([new ImageIdentifier { ImageDigest = A }])), new DestinationListing(europe, RepositoryListing.Empty)])
        {
            Referrers = referrers,
            UntaggedSubjects = [A],
        };

        var drift = await scanner.DigestDriftAsync(scan, new DriftScanRun(Source), A, null, CancellationToken.None);

        var item = Assert.Single(drift.Items);
        Assert.Equal((B, DriftKind.MissingReferrer), (item.Digest, item.Kind));
        Assert.Equal([west], item.Destinations);
    }

    /// <summary>
    /// A scanner whose one destination is <paramref name="destination"/>, and a scan of app whose tags v1 (at A) and v2
    /// (at B) the destination holds at C.
    /// </summary>
    private static (DriftScanner Scanner, RepositoryScan Scan) TagsAtAnotherDigest(ReplicationDestination west, IEcrClient destination)
    {
        var clients = new Mock<IDestinationClients>(MockBehavior.Strict);
        clients.Setup(c => c.GetClient(west, It.IsAny<string?>())).Returns(destination);
        var scanner = new DriftScanner(new Mock<IEcrClient>(MockBehavior.Strict).Object, clients.Object, [west], RepositoryMapping.Identity, new DriftSelection());
        var listing = new DestinationListing(west, RepositoryListing.From([new ImageIdentifier { ImageTag = "v1", ImageDigest = C }, new ImageIdentifier { ImageTag = "v2", ImageDigest = C }]));
        var scan = new RepositoryScan(
            "app",
            Account,
            new HashSet<string>(StringComparer.Ordinal) { "v1", "v2" },
            new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal) { [A] = ["v1"], [B] = ["v2"] },
            [listing]);
        return (scanner, scan);
    }
}
