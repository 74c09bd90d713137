using Replicator.Core.Reconciliation;
using Replicator.Core.Replication;
using Replicator.Samples;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Reconciliation;

/// <summary>
/// The scan compares each registry once: a bare region written with the replicator's own credentials and the source
/// account in that region are one registry (<see cref="ReplicationDestination.For"/>), or a pass would enqueue each
/// drift for it twice over, and the function then write it twice.
/// </summary>
public sealed class DriftScannerAliasTests
{
    [Fact]
    public async Task A_region_and_the_source_account_in_that_region_are_scanned_once()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 4412).Image(SampleFormat.Oci, [300]);
        await h.PushAsync(Source, "alias", image, "v1");
        ReplicationDestination[] destinations = [new(West), new(West, Account), new(Europe)];
        var scanner = new DriftScanner(h.Client(Source), new SourceCredentialsDestinationClients(h.Clients), destinations, RepositoryMapping.Identity, new DriftSelection());
        var run = new DriftScanRun(Source, Account);

        var scan = await scanner.ScanAsync("alias", run, null, CancellationToken.None);

        Assert.NotNull(scan);
        Assert.Equal([new ReplicationDestination(West), new ReplicationDestination(Europe)], scan.Destinations.Select(d => d.Destination));
        var item = Assert.Single((await scanner.DigestDriftAsync(scan, run, image.Digest, null, CancellationToken.None)).Items);
        Assert.Equal([new ReplicationDestination(West), new ReplicationDestination(Europe)], item.Destinations);
    }
}
