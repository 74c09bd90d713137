using Replicator.Core.Reconciliation;
using Replicator.Core.Replication;
using Replicator.Core.Tests.Replication;
using Replicator.Samples;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Reconciliation;

/// <summary>
/// A destination whose client cannot be made (its credentials parameter or role configuration refused) is that
/// destination's failure in a scan, as in a copy and a delete (FanOutTests, RepositoryAndTagTests): the scan's
/// per-destination try around the listing holds the client's creation too.
/// </summary>
public sealed class DriftScannerClientFailureTests
{
    [Fact]
    public async Task A_destination_whose_client_cannot_be_made_fails_alone_and_the_others_drift_is_found()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 4411).Image(SampleFormat.Oci, [300]);
        await h.PushAsync(Source, "noclient", image, "v1");
        ReplicationDestination[] destinations = [new(West), new(Europe)];
        var scanner = new DriftScanner(h.Client(Source), new RefusingDestinationClients(h, Europe), destinations, RepositoryMapping.Identity, new DriftSelection());
        var run = new DriftScanRun(Source);

        var scan = await scanner.ScanAsync("noclient", run, null, CancellationToken.None);

        Assert.NotNull(scan);
        Assert.Equal([new ReplicationDestination(West)], scan.Destinations.Select(d => d.Destination));
        var failure = Assert.Single(scan.FailedDestinations);
        Assert.Equal(new ReplicationDestination(Europe), failure.Destination);
        Assert.Contains($"no client for {Europe}", failure.Describe("noclient"), StringComparison.Ordinal);
        var drift = await scanner.DigestDriftAsync(scan, run, image.Digest, null, CancellationToken.None);
        var item = Assert.Single(drift.Items);
        Assert.Equal(("v1", DriftKind.MissingTag), (item.Tag, item.Kind));
        Assert.Equal([new ReplicationDestination(West)], item.Destinations);
    }
}
