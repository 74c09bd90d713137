using Replicator.Core.Replication;
using Replicator.Samples;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Replication;

/// <summary><see cref="ReplicationPreviewer"/> (the CLI's dry run) against LocalEcr.</summary>
public sealed class ReplicationPreviewerTests
{
    /// <summary>
    /// An image listed for a dry run and deleted from the source before its plan is read (or an event older than a
    /// delete) has no plan: null, which the dry run shows as "source image gone", as a copy would skip it. Not an error
    /// that stops the plan of every other image, and nothing is read from a destination for it.
    /// </summary>
    [Fact]
    public async Task The_preview_of_an_image_the_source_no_longer_holds_is_null_and_reads_no_destination()
    {
        await using var h = await StartAsync();
        var kept = new SampleImageBuilder(seed: 143).Image(SampleFormat.Oci, [1000]);
        var deleted = new SampleImageBuilder(seed: 144).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "planned", kept, "v1");
        var previewer = new ReplicationPreviewer(h.Clients, new SourceCredentialsDestinationClients(h.Clients));

        var preview = await previewer.PreviewAsync(Request("planned", deleted.Digest, null, West), CancellationToken.None);

        Assert.Null(preview);
        Assert.Equal(0, h.CallsTo(West));
    }
}
