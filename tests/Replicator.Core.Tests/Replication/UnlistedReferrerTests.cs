using Replicator.Core.Replication;
using Replicator.Samples;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Replication;

/// <summary>
/// A source that will not list an image's referrers. botocore's ECR model lists
/// <c>UnableToListUpstreamImageReferrersException</c> for ListImageReferrers: a pull-through cache rule whose upstream
/// cannot list them ("usually ... the Secrets Manager secret containing the credentials for the upstream registry").
/// No retry list names it, so before, every push of such an image went to the dead-letter queue uncopied. Referrers are
/// an add-on to the image: the image is copied without them and the result says so; a transient failure still fails
/// the record, for a retry.
/// </summary>
public sealed class UnlistedReferrerTests
{
    private const string Unlistable = "UnableToListUpstreamImageReferrersException";

    [Theory]
    [InlineData(Unlistable)]
    [InlineData("ValidationException")]
    public async Task An_image_whose_referrers_the_source_will_not_list_is_replicated_without_them_and_says_so(string errorCode)
    {
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 4601);
        var image = builder.Image(SampleFormat.Oci, [1024]);
        var sbom = builder.Artifact(image.Root);
        await h.PushAsync(Source, "cached", image, "v1");
        await h.PushAsync(Source, "cached", sbom, null);
        h.Server.Faults.FailNext("ListImageReferrers", 1000, errorCode, 400, region: Source, message: "upstream registry refused the listing");

        var result = await h.Replicator().ReplicateAsync(Request("cached", image.Digest, "v1", West), CancellationToken.None);

        var west = Assert.Single(result.Destinations);
        Assert.True(west.Succeeded, west.Message);
        Assert.Equal(ReplicationOutcome.Replicated, west.Outcome);
        Assert.False(result.ShouldRetry);
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "cached", "v1"));
        Assert.True(await h.Probe(West).HasVerifiedImageAsync("cached", image.Digest));
        Assert.Null(await h.GetImageAsync(West, "cached", sbom.Digest));
        Assert.Empty(west.ReferrersPut);
        Assert.Contains("the source would not list the referrers of 1 manifest(s)", west.Message, StringComparison.Ordinal);
        Assert.Contains(errorCode, west.Message, StringComparison.Ordinal);
        Assert.Contains("upstream registry refused the listing", west.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_manifest_of_an_index_is_listed_on_its_own_and_only_the_ones_refused_are_counted()
    {
        // The index is listed first and refused; its platform manifests are listed after it, so a signature of one of
        // them still travels with the index.
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 4602);
        var index = builder.MultiArch(SampleFormat.Oci, [512]);
        var signature = builder.Artifact(index.Manifests[0], "application/vnd.dev.cosign.artifact.sig.v1+json", 64);
        await h.PushAsync(Source, "cached-index", index, "v1");
        await h.PushAsync(Source, "cached-index", signature, null);
        h.Server.Faults.FailNext("ListImageReferrers", 1, Unlistable, 400, region: Source);

        var result = await h.Replicator().ReplicateAsync(Request("cached-index", index.Digest, "v1", West), CancellationToken.None);

        var west = Assert.Single(result.Destinations);
        Assert.True(west.Succeeded, west.Message);
        Assert.Equal(index.Digest, await h.TagDigestAsync(West, "cached-index", "v1"));
        Assert.True(await h.Probe(West).HasVerifiedImageAsync("cached-index", signature.Digest));
        Assert.Equal([signature.Digest], west.ReferrersPut);
        Assert.Contains("the source would not list the referrers of 1 manifest(s)", west.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_referrer_event_whose_subjects_referrers_cannot_be_listed_copies_the_subject_then_the_referrer()
    {
        // The referrer's own event still copies it: its subject is copied first (without its referrers, which cannot be
        // listed), then the referrer, which the event names by digest.
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 4603);
        var image = builder.Image(SampleFormat.Oci, [1024]);
        var sbom = builder.Artifact(image.Root);
        await h.PushAsync(Source, "cached-referrer", image, "v1");
        await h.PushAsync(Source, "cached-referrer", sbom, null);
        h.Server.Faults.FailNext("ListImageReferrers", 1000, Unlistable, 400, region: Source);

        var result = await h.Replicator().ReplicateAsync(Request("cached-referrer", sbom.Digest, null, West), CancellationToken.None);

        var west = Assert.Single(result.Destinations);
        Assert.True(west.Succeeded, west.Message);
        Assert.Equal(ReplicationOutcome.Replicated, west.Outcome);
        Assert.True(await h.Probe(West).HasVerifiedImageAsync("cached-referrer", image.Digest));
        Assert.True(await h.Probe(West).HasVerifiedImageAsync("cached-referrer", sbom.Digest));
    }

    [Fact]
    public async Task A_transient_failure_to_list_referrers_still_fails_the_image_for_a_retry()
    {
        // Referrers that a retry can list are not given up on: the record is retried, as before.
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 4604);
        var image = builder.Image(SampleFormat.Oci, [1024]);
        var sbom = builder.Artifact(image.Root);
        await h.PushAsync(Source, "flaky", image, "v1");
        await h.PushAsync(Source, "flaky", sbom, null);
        h.Server.Faults.FailNext("ListImageReferrers", 1000, "ServerException", 500, region: Source);

        var result = await h.Replicator().ReplicateAsync(Request("flaky", image.Digest, "v1", West), CancellationToken.None);

        var west = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Failed, west.Outcome);
        Assert.True(west.Transient);
        Assert.True(result.ShouldRetry);
        Assert.Equal("ServerException", west.ErrorCode);
        Assert.Null(await h.TagDigestAsync(West, "flaky", "v1"));

        h.Server.Faults.Clear();
        var retried = await h.Replicator().ReplicateAsync(Request("flaky", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(retried.Succeeded, retried.Destinations[0].Message);
        Assert.True(await h.Probe(West).HasVerifiedImageAsync("flaky", sbom.Digest));
        Assert.DoesNotContain("would not list", retried.Destinations[0].Message ?? string.Empty, StringComparison.Ordinal);
    }
}
