using Replicator.Core.Selection;
using Replicator.Function.Configuration;
using Replicator.Samples;
using static Replicator.Function.Tests.Reliability.FunctionRig;

namespace Replicator.Function.Tests.Reliability;

/// <summary>
/// TAG_FILTER with ECR's events as ECR sends them for a buildx push: one untagged event per child (each platform's
/// image and its provenance attestation), then the index with its tag. Nothing untagged enters a destination on its
/// own: children travel with their selected index, and a referrer goes only where its subject already is.
/// </summary>
public sealed class TagFilterTests
{
    private static readonly FunctionConfig ReleaseOnly = Config with { TagFilter = TagFilter.Create("release-.*") };

    [Fact]
    public async Task An_unselected_multi_arch_push_sends_nothing_to_any_destination()
    {
        await using var rig = await StartAsync();
        var image = await PushMultiArchAsync(rig, "app", "dev-1");
        rig.Server.Calls.Reset();

        var response = await ProcessAsync(rig.NewProcessor(rig.Replicator, ReleaseOnly), CancellationToken.None, EcrOrder(rig, "app", image, "dev-1"));

        Assert.Empty(Failed(response));
        Assert.Empty(rig.DeadLetter.Sent);
        Assert.Equal(0, rig.Server.Calls.Snapshot().Where(kv => kv.Key.Region != Source).Sum(kv => kv.Value));
        foreach (var region in new[] { West, Europe })
        {
            foreach (var manifest in image.Manifests)
            {
                Assert.False(await rig.HasVerifiedImageAsync(region, "app", manifest.Digest), $"{manifest.Digest} in {region}");
            }
        }

        var filtered = rig.Output.ToString().Split('\n').Count(l => l.Contains("\"outcome\":\"Filtered\"", StringComparison.Ordinal));
        Assert.Equal(image.Manifests.Count, filtered);
        Assert.DoesNotContain("ImagesSkipped", rig.Output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_selected_multi_arch_push_arrives_in_full_with_its_tag()
    {
        await using var rig = await StartAsync();
        var image = await PushMultiArchAsync(rig, "app", "release-1");

        var response = await ProcessAsync(rig.NewProcessor(rig.Replicator, ReleaseOnly), CancellationToken.None, EcrOrder(rig, "app", image, "release-1"));

        Assert.Empty(Failed(response));
        await rig.AssertReplicatedAsync("app", image, "release-1");
        foreach (var region in new[] { West, Europe })
        {
            foreach (var manifest in image.Manifests)
            {
                Assert.True(await rig.HasVerifiedImageAsync(region, "app", manifest.Digest), $"{manifest.Digest} missing in {region}");
            }
        }
    }

    /// <summary>The untagged push's event leaves image-tag out, as AWS's example does, or sends it empty, as real ECR does.</summary>
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task An_untagged_referrer_goes_only_where_its_subject_is(string? noTag)
    {
        await using var rig = await StartAsync();
        var signed = await rig.PushAsync("app", 71, "release-1", 20_000);
        var westOnly = ReleaseOnly with { Destinations = [ReleaseOnly.Destinations[0]] };
        Assert.Empty(Failed(await ProcessAsync(rig.NewProcessor(rig.Replicator, westOnly), CancellationToken.None, rig.Message("app", signed.Digest, "release-1"))));
        var signature = new SampleImageBuilder(72).Artifact(signed.Root, "application/vnd.dev.cosign.artifact.sig.v1+json", 256);
        await SampleImagePusher.PushAsync(rig.Client(Source), "app", signature, tag: null);

        var response = await ProcessAsync(rig.NewProcessor(rig.Replicator, ReleaseOnly), CancellationToken.None, rig.Message("app", signature.Digest, noTag));

        Assert.Empty(Failed(response));
        Assert.Empty(rig.DeadLetter.Sent);
        Assert.True(await rig.HasVerifiedImageAsync(West, "app", signature.Digest));
        Assert.False(await rig.HasVerifiedImageAsync(Europe, "app", signature.Digest));
        Assert.False(await rig.HasVerifiedImageAsync(Europe, "app", signed.Digest), "the referrer dragged its unselected subject in");
        Assert.Contains("SubjectNotHeld", rig.Output.ToString(), StringComparison.Ordinal);
    }

    private static async Task<SampleImage> PushMultiArchAsync(FunctionRig rig, string repository, string tag)
    {
        var image = new SampleImageBuilder(70).MultiArch(SampleFormat.Oci, [20_000, 10_000], withAttestation: true);
        await SampleImagePusher.PushAsync(rig.Client(Source), repository, image, tag);
        return image;
    }

    /// <summary>ECR's events for a pushed index: each child by digest, untagged, then the index with its tag.</summary>
    private static Replicator.Function.Events.SQSMessage[] EcrOrder(FunctionRig rig, string repository, SampleImage image, string tag) =>
        [.. image.Manifests.Select(m => rig.Message(repository, m.Digest, ReferenceEquals(m, image.Root) ? tag : null))];
}
