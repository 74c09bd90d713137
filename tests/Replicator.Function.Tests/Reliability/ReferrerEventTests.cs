using Replicator.Function.Events;
using Replicator.Samples;
using static Replicator.Function.Tests.Reliability.FunctionRig;

namespace Replicator.Function.Tests.Reliability;

/// <summary>
/// A referrer pushed after its subject was replicated may reach the function as ECR's "ECR Referrer Action" rather
/// than an "ECR Image Action" (EcrEventParser.ReferrerDetailType): it is copied the same way, and the Image Action of
/// the same push, if ECR sends both, then finds the destinations up to date.
/// </summary>
public sealed class ReferrerEventTests
{
    [Fact]
    public async Task A_signature_announced_as_a_referrer_action_is_copied_and_its_image_action_after_it_copies_nothing()
    {
        await using var rig = await StartAsync();
        var signed = await rig.PushAsync("app", 81, "v1", 20_000);
        Assert.Empty(Failed(await rig.ProcessAsync(rig.Message("app", signed.Digest, "v1"))));
        var signature = new SampleImageBuilder(82).Artifact(signed.Root, "application/vnd.dev.cosign.artifact.sig.v1+json", 256);
        await SampleImagePusher.PushAsync(rig.Client(Source), "app", signature, tag: null);

        var response = await rig.ProcessAsync(rig.Message("app", signature.Digest, null, detailType: EcrEventParser.ReferrerDetailType));

        Assert.Empty(Failed(response));
        Assert.Empty(rig.DeadLetter.Sent);
        Assert.True(await rig.HasVerifiedImageAsync(West, "app", signature.Digest));
        Assert.True(await rig.HasVerifiedImageAsync(Europe, "app", signature.Digest));

        rig.Server.Calls.Reset();
        Assert.Empty(Failed(await rig.ProcessAsync(rig.Message("app", signature.Digest, null))));
        Assert.Equal(0, rig.Server.Calls.Count("PutImage"));
        Assert.Equal(0, rig.Server.Calls.Count("InitiateLayerUpload"));
        Assert.True(rig.Server.Calls.Count("BatchGetImage") > 0, "the repeat was not looked at");
    }
}
