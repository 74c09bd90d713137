using Replicator.Core.Replication;
using Replicator.Samples;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Replication;

/// <summary>
/// A destination written as a bare region names no account; the result carries the one ECR reported (PutImage's
/// image.registryId, or DescribeImages' for an image already there), so what is announced names the account that
/// holds the image, whichever credentials wrote it.
/// </summary>
public sealed class ReportedRegistryTests
{
    [Fact]
    public async Task Each_result_carries_the_registry_ECR_reported_for_a_copy_and_for_an_image_already_there()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 90).MultiArch(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "reported", image, "v1");
        var replicator = h.Replicator();

        var copied = Assert.Single((await replicator.ReplicateAsync(Request("reported", image.Digest, "v1", West), CancellationToken.None)).Destinations);
        var again = Assert.Single((await replicator.ReplicateAsync(Request("reported", image.Digest, "v1", West), CancellationToken.None)).Destinations);

        Assert.Equal(ReplicationOutcome.Replicated, copied.Outcome);
        Assert.Equal(Account, copied.RegistryId);
        Assert.Equal(ReplicationOutcome.UpToDate, again.Outcome);
        Assert.Equal(Account, again.RegistryId);
    }
}
