using Replicator.Core.Replication;
using Replicator.Function.Processing;
using static Replicator.Function.Tests.Reliability.FunctionRig;
using E = Replicator.Function.Tests.Support.Events;

namespace Replicator.Function.Tests.Reliability;

/// <summary>
/// A DELETE that names a source other than the function's own registry, sent to the replication queue by anyone with
/// sqs:SendMessage on it or forwarded from another region's bus, through the real engine against LocalEcr: no
/// destination loses its replica, and the record is dead-lettered with the field and both values.
/// </summary>
public sealed class ForgedSourceTests
{
    private static readonly RepositoryMapping Mirror = RepositoryMapping.Parse("team/=mirror/team/");

    // The other region is none of the destinations, so none of them would have been dropped as "the source"; neither
    // it nor the other account holds team/app, so the engine's "does the source still hold it?" would answer no.
    [Theory]
    [InlineData("region")]
    [InlineData("account")]
    public async Task A_delete_naming_another_region_or_account_deletes_nothing_anywhere_and_is_dead_lettered(string field)
    {
        await using var rig = await StartAsync();
        var engine = rig.NewEngine(FastOptions with { RepositoryMapping = Mirror });
        var config = Config with { ReplicateDeletes = true, RepositoryMapping = Mirror };
        var processor = rig.NewProcessor(engine, config);
        var image = await rig.PushAsync("team/app", 61, "prod");
        Assert.Empty(Failed(await ProcessAsync(processor, CancellationToken.None, rig.Message("team/app", image.Digest, "prod"))));
        foreach (var destination in new[] { West, Europe })
        {
            Assert.Equal(image.Digest, await rig.TagDigestAsync(destination, "mirror/team/app", "prod"));
        }

        var (account, region) = field == "region" ? (rig.Server.AccountId, "ap-northeast-1") : ("999999999999", Source);
        rig.Server.Calls.Reset();
        var forged = E.Record(
            "forged",
            E.Body(action: "DELETE", repository: "team/app", digest: image.Digest, tag: "prod", account: account, region: region),
            "team/app",
            E.QueueArnOf(rig.Server.AccountId, Source));

        Assert.Empty(Failed(await ProcessAsync(processor, CancellationToken.None, forged)));

        Assert.Equal(0, rig.Server.Calls.Count("BatchDeleteImage"));
        Assert.Equal(0, rig.Server.Calls.Total);
        foreach (var destination in new[] { West, Europe })
        {
            Assert.Equal(image.Digest, await rig.TagDigestAsync(destination, "mirror/team/app", "prod"));
        }

        var dead = Assert.Single(rig.DeadLetter.Sent);
        Assert.Equal(forged.Body, dead.Body);
        Assert.Equal(RecordHandler.InvalidEventErrorType, dead.ErrorType);
        Assert.StartsWith(field + " '" + (field == "region" ? region : account) + "'", dead.Reason, StringComparison.Ordinal);
        Assert.Contains(field == "region" ? Source : rig.Server.AccountId, dead.Reason, StringComparison.Ordinal);
    }
}
