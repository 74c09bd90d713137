using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;
using Replicator.Core.Replication;
using Replicator.Samples;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Replication;

/// <summary>
/// A destination repository whose creation was cut short after CreateRepository (its lifecycle or repository policy
/// not applied yet) keeps RepositoryProvisioner.ProvisioningTagKey, and the next copy into it completes it; a creation
/// that finishes leaves no marker, and a repeat copy costs no call for it. Calls are counted on LocalEcr.
/// </summary>
public sealed class ProvisioningTagTests
{
    private const string Lifecycle = """{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}""";
    private const string Policy = """{"Version":"2012-10-17","Statement":[{"Sid":"pull","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":["ecr:BatchGetImage"]}]}""";
    private const string Marker = RepositoryProvisioner.ProvisioningTagKey;

    [Fact]
    public async Task A_creation_cut_short_after_CreateRepository_is_completed_by_the_redelivery()
    {
        await using var h = await StartAsync();
        await ConfiguredSourceAsync(h, "configured");
        var image = new SampleImageBuilder(seed: 140).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "configured", image, "v1");
        h.Server.Faults.FailNext("PutLifecyclePolicy", 1, "InvalidParameterException", region: West);

        var first = await h.Replicator().ReplicateAsync(Request("configured", image.Digest, "v1", West), CancellationToken.None);

        Assert.Equal(ReplicationOutcome.Failed, first.Destinations[0].Outcome);
        Assert.Contains(Marker, await TagKeysAsync(h, "configured"));
        Assert.Null(await LifecycleAsync(h, "configured"));

        // The redelivery, in another function instance: the repository exists, the image does not.
        var redelivered = await h.Replicator().ReplicateAsync(Request("configured", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(redelivered.Succeeded, redelivered.Destinations[0].Message);
        Assert.Equal(1, h.Calls(West, "CreateRepository"));
        Assert.Equal(Lifecycle, await LifecycleAsync(h, "configured"));
        Assert.Equal(Policy, (await h.Client(West).GetRepositoryPolicyAsync(new GetRepositoryPolicyRequest { RepositoryName = "configured" })).PolicyText);
        Assert.Equal(["team"], await TagKeysAsync(h, "configured"));
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "configured", "v1"));
    }

    /// <summary>A settings refusal that lasts fails every redelivery (it reaches the dead-letter queue) instead of being forgotten.</summary>
    [Fact]
    public async Task A_lasting_settings_refusal_fails_the_redelivery_too()
    {
        await using var h = await StartAsync();
        await ConfiguredSourceAsync(h, "refused");
        var image = new SampleImageBuilder(seed: 141).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "refused", image, "v1");
        h.Server.Faults.FailNext("PutLifecyclePolicy", 2, "InvalidParameterException", region: West);

        var first = await h.Replicator().ReplicateAsync(Request("refused", image.Digest, "v1", West), CancellationToken.None);
        var redelivered = await h.Replicator().ReplicateAsync(Request("refused", image.Digest, "v1", West), CancellationToken.None);

        Assert.Equal(ReplicationOutcome.Failed, first.Destinations[0].Outcome);
        Assert.Equal(ReplicationOutcome.Failed, redelivered.Destinations[0].Outcome);
        Assert.Equal("InvalidParameterException", redelivered.Destinations[0].ErrorCode);
        Assert.False(redelivered.Destinations[0].Transient);
        Assert.Contains(Marker, await TagKeysAsync(h, "refused"));
        Assert.Null(await h.TagDigestAsync(West, "refused", "v1"));
    }

    /// <summary>
    /// ECR refuses a repository policy that names a principal it cannot resolve (a role deleted since, say) with
    /// InvalidParameterException "Invalid repository policy provided"
    /// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policy-examples.html). The repository is
    /// then half made: its lifecycle policy is on, the marker stays, and the copy fails for good (not transient) until
    /// a redelivery finds the policy accepted and completes it.
    /// </summary>
    [Fact]
    public async Task A_refused_repository_policy_fails_the_copy_and_leaves_the_marker_for_the_redelivery()
    {
        await using var h = await StartAsync();
        await ConfiguredSourceAsync(h, "unresolved");
        var image = new SampleImageBuilder(seed: 148).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "unresolved", image, "v1");
        h.Server.Faults.FailNext("SetRepositoryPolicy", 1, "InvalidParameterException", region: West,
            message: "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'");

        var first = await h.Replicator().ReplicateAsync(Request("unresolved", image.Digest, "v1", West), CancellationToken.None);

        Assert.Equal(ReplicationOutcome.Failed, first.Destinations[0].Outcome);
        Assert.Equal("InvalidParameterException", first.Destinations[0].ErrorCode);
        Assert.False(first.Destinations[0].Transient);
        Assert.Contains(Marker, await TagKeysAsync(h, "unresolved"));
        Assert.Equal(Lifecycle, await LifecycleAsync(h, "unresolved"));
        var noPolicy = await Assert.ThrowsAsync<EcrException>(() => h.Client(West).GetRepositoryPolicyAsync(new GetRepositoryPolicyRequest { RepositoryName = "unresolved" }));
        Assert.Equal(EcrErrorCodes.RepositoryPolicyNotFoundException, noPolicy.ErrorCode);
        Assert.Null(await h.TagDigestAsync(West, "unresolved", "v1"));

        var redelivered = await h.Replicator().ReplicateAsync(Request("unresolved", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(redelivered.Succeeded, redelivered.Destinations[0].Message);
        Assert.Equal(Policy, (await h.Client(West).GetRepositoryPolicyAsync(new GetRepositoryPolicyRequest { RepositoryName = "unresolved" })).PolicyText);
        Assert.Equal(["team"], await TagKeysAsync(h, "unresolved"));
        Assert.Equal(2, h.Calls(West, "SetRepositoryPolicy"));
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "unresolved", "v1"));
    }

    /// <summary>A repository another run created and left with the marker (the RepositoryAlreadyExists race ends here too).</summary>
    [Fact]
    public async Task A_repository_left_with_the_marker_by_another_run_is_completed_before_the_copy()
    {
        await using var h = await StartAsync();
        var image = await LeftWithMarkerAsync(h, "theirs", seed: 142);

        var result = await h.Replicator().ReplicateAsync(Request("theirs", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(result.Succeeded, result.Destinations[0].Message);
        Assert.Equal(Lifecycle, await LifecycleAsync(h, "theirs"));
        Assert.Equal(["team"], await TagKeysAsync(h, "theirs"));
    }

    [Fact]
    public async Task A_creation_that_finishes_leaves_no_marker_and_one_without_settings_to_follow_puts_none()
    {
        await using var h = await StartAsync();
        await ConfiguredSourceAsync(h, "configured");
        await h.Client(Source).CreateRepositoryAsync(new CreateRepositoryRequest { RepositoryName = "plain", Tags = [new Tag { Key = "team", Value = "platform" }] });
        var builder = new SampleImageBuilder(seed: 143);
        var configured = builder.Image(SampleFormat.Oci, [1000]);
        var plain = builder.Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "configured", configured, "v1");
        await h.PushAsync(Source, "plain", plain, "v1");

        Assert.True((await h.Replicator().ReplicateAsync(Request("configured", configured.Digest, "v1", West), CancellationToken.None)).Succeeded);
        Assert.Equal(1, h.Calls(West, "UntagResource"));
        Assert.Equal(["team"], await TagKeysAsync(h, "configured"));
        Assert.Equal(Lifecycle, await LifecycleAsync(h, "configured"));

        Assert.True((await h.Replicator().ReplicateAsync(Request("plain", plain.Digest, "v1", West), CancellationToken.None)).Succeeded);
        Assert.Equal(1, h.Calls(West, "UntagResource"));
        Assert.Equal(["team"], await TagKeysAsync(h, "plain"));
    }

    /// <summary>
    /// The marker costs a repeat nothing (docs/performance.md: a repeat makes at most two calls per destination), and a
    /// new image into an existing repository one check per repository and engine: DescribeRepositories (the ARN, the
    /// destination naming no account) and ListTagsForResource.
    /// </summary>
    [Fact]
    public async Task A_repeat_makes_no_call_for_the_marker_and_an_existing_repository_is_checked_once_per_engine()
    {
        await using var h = await StartAsync();
        await ConfiguredSourceAsync(h, "configured");
        var builder = new SampleImageBuilder(seed: 144);
        var images = Enumerable.Range(0, 4).Select(_ => builder.Image(SampleFormat.Oci, [1000])).ToList();
        for (var i = 0; i < images.Count; i++)
        {
            await h.PushAsync(Source, "configured", images[i], $"v{i}");
        }

        var first = h.Replicator();
        Assert.True((await first.ReplicateAsync(Request("configured", images[0].Digest, "v0", West), CancellationToken.None)).Succeeded);
        var afterCreate = Snapshot(h);

        // The same engine: its creation settled the repository.
        Assert.True((await first.ReplicateAsync(Request("configured", images[0].Digest, "v0", West), CancellationToken.None)).Succeeded);
        Assert.True((await first.ReplicateAsync(Request("configured", images[1].Digest, "v1", West), CancellationToken.None)).Succeeded);
        Assert.Equal(afterCreate, Snapshot(h));

        // Another engine (another function instance): a repeat makes no call for the marker, a new image one check.
        var second = h.Replicator();
        Assert.True((await second.ReplicateAsync(Request("configured", images[0].Digest, "v0", West), CancellationToken.None)).Succeeded);
        Assert.Equal(afterCreate, Snapshot(h));
        Assert.True((await second.ReplicateAsync(Request("configured", images[2].Digest, "v2", West), CancellationToken.None)).Succeeded);
        Assert.True((await second.ReplicateAsync(Request("configured", images[3].Digest, "v3", West), CancellationToken.None)).Succeeded);
        Assert.Equal((afterCreate.Describe + 1, afterCreate.ListTags + 1, afterCreate.Untag, afterCreate.Lifecycle), Snapshot(h));
    }

    /// <summary>
    /// A destination named by account needs no DescribeRepositories for the ARN, which is built from it: the one read is
    /// the tag mutability check before the copy (ImmutableTagCheck), once per repository and engine.
    /// </summary>
    [Fact]
    public async Task A_destination_with_an_account_is_checked_with_ListTagsForResource_alone()
    {
        await using var h = await StartAsync();
        await ConfiguredSourceAsync(h, "configured");
        var image = new SampleImageBuilder(seed: 145).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "configured", image, "v1");
        await h.Client(West).CreateRepositoryAsync(new CreateRepositoryRequest { RepositoryName = "configured", Tags = [new Tag { Key = Marker, Value = "x" }] });
        var request = new ReplicationRequest(new ImageReference(Account, Source, "configured", image.Digest, "v1"), [new ReplicationDestination(West, Account)]);

        var result = await h.Replicator().ReplicateAsync(request, CancellationToken.None);

        Assert.True(result.Succeeded, result.Destinations[0].Message);
        Assert.Equal(1, h.Calls(West, "DescribeRepositories"));
        Assert.Equal(1, h.Calls(West, "ListTagsForResource"));
        Assert.Equal(Lifecycle, await LifecycleAsync(h, "configured"));
        Assert.Empty(await TagKeysAsync(h, "configured"));
    }

    /// <summary>
    /// A destination role deployed before ecr:ListTagsForResource was granted: the copy goes on as before, with a note
    /// naming the grant, rather than failing every copy into that account.
    /// </summary>
    [Fact]
    public async Task Tags_that_may_not_be_read_leave_a_note_and_do_not_fail_the_copy()
    {
        await using var h = await StartAsync();
        await ConfiguredSourceAsync(h, "configured");
        var image = new SampleImageBuilder(seed: 146).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "configured", image, "v1");
        await h.Client(West).CreateRepositoryAsync(new CreateRepositoryRequest { RepositoryName = "configured" });
        h.Server.Faults.FailNext("ListTagsForResource", 1, EcrErrorCodes.AccessDeniedException, region: West);

        var result = await h.Replicator().ReplicateAsync(Request("configured", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(result.Succeeded, result.Destinations[0].Message);
        Assert.Equal(ReplicationOutcome.Replicated, result.Destinations[0].Outcome);
        Assert.Contains("ecr:ListTagsForResource", result.Destinations[0].Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A lifecycle policy can expire every image, so a writer may be refused ecr:PutLifecyclePolicy on purpose
    /// (destination-role.yaml's AllowLifecyclePolicies, the stack's CopyLifecyclePolicies, both off in these cases).
    /// The new repository is then finished without it: the image is copied, the repository policy still set where it
    /// is copied, the marker removed, and the result names the lifecycle policy left out.
    /// </summary>
    [Fact]
    public async Task A_lifecycle_policy_the_writer_may_not_set_is_left_out_with_a_note_and_the_copy_completes()
    {
        await using var h = await StartAsync();
        await ConfiguredSourceAsync(h, "nolifecycle");
        var image = new SampleImageBuilder(seed: 191).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "nolifecycle", image, "v1");
        h.Server.Faults.FailNext("PutLifecyclePolicy", 1, EcrErrorCodes.AccessDeniedException, region: West);

        var result = await h.Replicator().ReplicateAsync(Request("nolifecycle", image.Digest, "v1", West), CancellationToken.None);

        var destination = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Replicated, destination.Outcome);
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "nolifecycle", "v1"));
        Assert.Equal(1, h.Calls(West, "PutLifecyclePolicy"));
        Assert.Null(await LifecycleAsync(h, "nolifecycle"));
        Assert.Equal(Policy, (await h.Client(West).GetRepositoryPolicyAsync(new GetRepositoryPolicyRequest { RepositoryName = "nolifecycle" })).PolicyText);
        Assert.Equal(["team"], await TagKeysAsync(h, "nolifecycle"));
        Assert.Contains("lifecycle policy was not copied to destination repository nolifecycle (AccessDeniedException)", destination.Message, StringComparison.Ordinal);
        Assert.Contains("AllowLifecyclePolicies=true", destination.Message, StringComparison.Ordinal);
        Assert.Contains("CopyLifecyclePolicies=true", destination.Message, StringComparison.Ordinal);
    }

    /// <summary>Both grants missing: the lifecycle policy's note and the marker's are both in the result, in that order.</summary>
    [Fact]
    public async Task A_refused_lifecycle_policy_and_a_marker_that_may_not_be_removed_both_leave_their_note()
    {
        await using var h = await StartAsync();
        await ConfiguredSourceAsync(h, "twonotes");
        var image = new SampleImageBuilder(seed: 192).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "twonotes", image, "v1");
        h.Server.Faults.FailNext("PutLifecyclePolicy", 1, EcrErrorCodes.AccessDeniedException, region: West);
        h.Server.Faults.FailNext("UntagResource", 1, EcrErrorCodes.AccessDeniedException, region: West);

        var result = await h.Replicator().ReplicateAsync(Request("twonotes", image.Digest, "v1", West), CancellationToken.None);

        var destination = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Replicated, destination.Outcome);
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "twonotes", "v1"));
        Assert.Contains(Marker, await TagKeysAsync(h, "twonotes"));
        var message = destination.Message!;
        var lifecycle = message.IndexOf("lifecycle policy was not copied", StringComparison.Ordinal);
        var marker = message.IndexOf($"its tag {Marker} could not be removed", StringComparison.Ordinal);
        Assert.True(lifecycle >= 0 && marker > lifecycle, message);
    }

    /// <summary>
    /// A repository another run left with the marker, completed by this one (<c>CompleteAsync</c>) by a writer refused
    /// ecr:PutLifecyclePolicy: completed all the same, with the note, and the marker removed so it is not tried again.
    /// </summary>
    [Fact]
    public async Task A_repository_left_with_the_marker_is_completed_without_a_lifecycle_policy_the_writer_may_not_set()
    {
        await using var h = await StartAsync();
        var image = await LeftWithMarkerAsync(h, "leftover", seed: 193);
        h.Server.Faults.FailNext("PutLifecyclePolicy", 1, EcrErrorCodes.AccessDeniedException, region: West);

        var result = await h.Replicator().ReplicateAsync(Request("leftover", image.Digest, "v1", West), CancellationToken.None);

        var destination = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Replicated, destination.Outcome);
        Assert.Contains("lifecycle policy was not copied to destination repository leftover", destination.Message, StringComparison.Ordinal);
        Assert.Null(await LifecycleAsync(h, "leftover"));
        Assert.Equal(Policy, (await h.Client(West).GetRepositoryPolicyAsync(new GetRepositoryPolicyRequest { RepositoryName = "leftover" })).PolicyText);
        Assert.Equal(["team"], await TagKeysAsync(h, "leftover"));
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "leftover", "v1"));
    }

    /// <summary>A source repository that is a replica left with the marker: its copy does not inherit it.</summary>
    [Fact]
    public async Task The_marker_of_a_source_repository_is_not_copied()
    {
        await using var h = await StartAsync();
        await h.Client(Source).CreateRepositoryAsync(new CreateRepositoryRequest
        {
            RepositoryName = "replica",
            Tags = [new Tag { Key = "team", Value = "platform" }, new Tag { Key = Marker, Value = "x" }],
        });
        var image = new SampleImageBuilder(seed: 147).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "replica", image, "v1");

        var result = await h.Replicator().ReplicateAsync(Request("replica", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(result.Succeeded, result.Destinations[0].Message);
        Assert.Equal(["team"], await TagKeysAsync(h, "replica"));
        Assert.Equal(0, h.Calls(West, "UntagResource"));
    }

    /// <summary>
    /// A warm engine that settled a repository (its creation finished) and then recreated it after an operator deleted
    /// it: the new creation is cut short, so the redelivery in that same engine must check the marker again rather than
    /// trust what it remembered of the repository that was deleted.
    /// </summary>
    [Fact]
    public async Task A_repository_recreated_by_the_same_engine_and_cut_short_is_completed_by_its_redelivery()
    {
        await using var h = await StartAsync();
        await ConfiguredSourceAsync(h, "recreated");
        var image = new SampleImageBuilder(seed: 194).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "recreated", image, "v1");
        var engine = h.Replicator();
        Assert.True((await engine.ReplicateAsync(Request("recreated", image.Digest, "v1", West), CancellationToken.None)).Succeeded);
        await Reliability.OperatorCalls.DeleteRepositoryAsync(h.Server, h.Http, West, "recreated");
        h.Server.Faults.FailNext("PutLifecyclePolicy", 1, "InvalidParameterException", region: West);

        var cut = await engine.ReplicateAsync(Request("recreated", image.Digest, "v1", West), CancellationToken.None);

        Assert.Equal(ReplicationOutcome.Failed, cut.Destinations[0].Outcome);
        Assert.Contains(Marker, await TagKeysAsync(h, "recreated"));

        var redelivered = await engine.ReplicateAsync(Request("recreated", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(redelivered.Succeeded, redelivered.Destinations[0].Message);
        Assert.Equal(2, h.Calls(West, "CreateRepository"));
        Assert.Equal(Lifecycle, await LifecycleAsync(h, "recreated"));
        Assert.Equal(["team"], await TagKeysAsync(h, "recreated"));
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "recreated", "v1"));
    }

    /// <summary>
    /// Tags that may not be read are asked for once per repository and engine, as readable ones are: a warm instance
    /// whose destination role lacks ecr:ListTagsForResource does not pay a refused call (and repeat the note) on every
    /// new image copied into that repository.
    /// </summary>
    [Fact]
    public async Task Tags_that_may_not_be_read_are_asked_for_once_per_engine()
    {
        await using var h = await StartAsync();
        await ConfiguredSourceAsync(h, "unreadable");
        var builder = new SampleImageBuilder(seed: 195);
        var (first, second) = (builder.Image(SampleFormat.Oci, [1000]), builder.Image(SampleFormat.Oci, [1000]));
        await h.PushAsync(Source, "unreadable", first, "v1");
        await h.PushAsync(Source, "unreadable", second, "v2");
        await h.Client(West).CreateRepositoryAsync(new CreateRepositoryRequest { RepositoryName = "unreadable" });
        h.Server.Faults.FailNext("ListTagsForResource", 1, EcrErrorCodes.AccessDeniedException, region: West);
        var engine = h.Replicator();

        var noted = await engine.ReplicateAsync(Request("unreadable", first.Digest, "v1", West), CancellationToken.None);
        var next = await engine.ReplicateAsync(Request("unreadable", second.Digest, "v2", West), CancellationToken.None);

        Assert.Contains("ecr:ListTagsForResource", noted.Destinations[0].Message, StringComparison.Ordinal);
        Assert.Equal(ReplicationOutcome.Replicated, next.Destinations[0].Outcome);
        Assert.Null(next.Destinations[0].Message);
        Assert.Equal(1, h.Calls(West, "ListTagsForResource"));
    }

    /// <summary>
    /// The race the remarks name: the destination looked empty, and CreateRepository answers that another run created
    /// the repository meanwhile, and that run was cut short with the marker. This copy did not create it, so it
    /// completes it before copying, as it would any repository found with the marker.
    /// </summary>
    [Fact]
    public async Task A_creation_that_loses_the_race_completes_the_repository_the_other_run_left_with_the_marker()
    {
        await using var h = await StartAsync();
        var image = await LeftWithMarkerAsync(h, "raced", seed: 196);
        // The state read found no repository: the other run's CreateRepository came after it.
        h.Server.Faults.FailNext("DescribeImages", 1, EcrErrorCodes.RepositoryNotFoundException, region: West);

        var result = await h.Replicator().ReplicateAsync(Request("raced", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(result.Succeeded, result.Destinations[0].Message);
        Assert.Equal(Lifecycle, await LifecycleAsync(h, "raced"));
        Assert.Equal(["team"], await TagKeysAsync(h, "raced"));
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "raced", "v1"));
    }

    /// <summary>
    /// A configured source repository with an image tagged v1, and its destination repository as another run left it:
    /// created with a tag of its own and the marker, its settings never applied.
    /// </summary>
    private static async Task<SampleImage> LeftWithMarkerAsync(EngineHarness h, string repository, ulong seed)
    {
        await ConfiguredSourceAsync(h, repository);
        var image = new SampleImageBuilder(seed).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, repository, image, "v1");
        await h.Client(West).CreateRepositoryAsync(new CreateRepositoryRequest
        {
            RepositoryName = repository,
            Tags = [new Tag { Key = "team", Value = "platform" }, new Tag { Key = Marker, Value = RepositoryProvisioner.ProvisioningTagValue }],
        });
        return image;
    }

    private static async Task ConfiguredSourceAsync(EngineHarness h, string repository)
    {
        var source = h.Client(Source);
        await source.CreateRepositoryAsync(new CreateRepositoryRequest { RepositoryName = repository, Tags = [new Tag { Key = "team", Value = "platform" }] });
        await source.PutLifecyclePolicyAsync(new PutLifecyclePolicyRequest { RepositoryName = repository, LifecyclePolicyText = Lifecycle });
        await source.SetRepositoryPolicyAsync(new SetRepositoryPolicyRequest { RepositoryName = repository, PolicyText = Policy });
    }

    private static async Task<List<string>> TagKeysAsync(EngineHarness h, string repository)
    {
        var west = h.Client(West);
        var arn = (await west.DescribeRepositoriesAsync(new DescribeRepositoriesRequest { RepositoryNames = [repository] })).Repositories!.Single().RepositoryArn;
        return [.. (await west.ListTagsForResourceAsync(new ListTagsForResourceRequest { ResourceArn = arn })).Tags!.Select(t => t.Key!)];
    }

    private static async Task<string?> LifecycleAsync(EngineHarness h, string repository)
    {
        try
        {
            return (await h.Client(West).GetLifecyclePolicyAsync(new GetLifecyclePolicyRequest { RepositoryName = repository })).LifecyclePolicyText;
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.LifecyclePolicyNotFoundException)
        {
            return null;
        }
    }

    private static (int Describe, int ListTags, int Untag, int Lifecycle) Snapshot(EngineHarness h) =>
        (h.Calls(West, "DescribeRepositories"), h.Calls(West, "ListTagsForResource"), h.Calls(West, "UntagResource"), h.Calls(West, "PutLifecyclePolicy"));
}
