using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;
using Replicator.Core.Replication;
using Replicator.Samples;
using Replicator.Testing;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Replication;

/// <summary>Destination repositories are created with the source's settings; tags follow the late-event rule.</summary>
public sealed class RepositoryAndTagTests
{
    private const string Lifecycle = """{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}""";
    private const string Policy = """{"Version":"2012-10-17","Statement":[{"Sid":"pull","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":["ecr:BatchGetImage"]}]}""";

    [Fact]
    public async Task A_missing_destination_repository_is_created_with_the_source_settings()
    {
        await using var h = await StartAsync();
        var source = h.Client(Source);
        await source.CreateRepositoryAsync(new CreateRepositoryRequest
        {
            RepositoryName = "configured",
            ImageTagMutability = ImageTagMutability.Immutable,
            ImageScanningConfiguration = new ImageScanningConfiguration { ScanOnPush = true },
            EncryptionConfiguration = new EncryptionConfiguration { EncryptionType = EncryptionType.Aes256 },
            Tags = [new Tag { Key = "team", Value = "platform" }],
        });
        await source.PutLifecyclePolicyAsync(new PutLifecyclePolicyRequest { RepositoryName = "configured", LifecyclePolicyText = Lifecycle });
        await source.SetRepositoryPolicyAsync(new SetRepositoryPolicyRequest { RepositoryName = "configured", PolicyText = Policy });
        var image = new SampleImageBuilder(seed: 40).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "configured", image, "v1");

        var result = await h.Replicator().ReplicateAsync(Request("configured", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(result.Succeeded, result.Destinations[0].Message);
        var west = h.Client(West);
        var repository = (await west.DescribeRepositoriesAsync(new DescribeRepositoriesRequest { RepositoryNames = ["configured"] })).Repositories!.Single();
        Assert.Equal(ImageTagMutability.Immutable, repository.ImageTagMutability);
        Assert.True(repository.ImageScanningConfiguration?.ScanOnPush);
        Assert.Equal(EncryptionType.Aes256, repository.EncryptionConfiguration?.EncryptionType);
        var tags = await west.ListTagsForResourceAsync(new ListTagsForResourceRequest { ResourceArn = repository.RepositoryArn });
        Assert.Contains(tags.Tags!, t => t.Key == "team" && t.Value == "platform");
        Assert.Equal(Lifecycle, (await west.GetLifecyclePolicyAsync(new GetLifecyclePolicyRequest { RepositoryName = "configured" })).LifecyclePolicyText);
        Assert.Equal(Policy, (await west.GetRepositoryPolicyAsync(new GetRepositoryPolicyRequest { RepositoryName = "configured" })).PolicyText);
    }

    /// <summary>
    /// A locked-down source repository: its policy denies ecr:SetRepositoryPolicy, which ECR accepts only when forced
    /// (botocore ECR model, SetRepositoryPolicyRequest.force). The owner forced it there; the replica gets the same
    /// policy, forced too, instead of a refusal on every copy into the new repository.
    /// </summary>
    [Fact]
    public async Task A_source_policy_that_locks_out_further_policy_changes_is_copied_forced()
    {
        const string locked = """{"Version":"2012-10-17","Statement":[{"Sid":"pull","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"ecr:BatchGetImage"},{"Sid":"frozen","Effect":"Deny","Principal":"*","Action":["ecr:SetRepositoryPolicy","ecr:DeleteRepositoryPolicy"],"Condition":{"StringNotLike":{"aws:PrincipalArn":"arn:aws:iam::000000000000:role/security-*"}}}]}""";
        await using var h = await StartAsync();
        var source = h.Client(Source);
        await source.CreateRepositoryAsync(new CreateRepositoryRequest { RepositoryName = "locked" });
        await source.SetRepositoryPolicyAsync(new SetRepositoryPolicyRequest { RepositoryName = "locked", PolicyText = locked, Force = true });
        var image = new SampleImageBuilder(seed: 44).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "locked", image, "v1");

        var result = await h.Replicator().ReplicateAsync(Request("locked", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(result.Succeeded, result.Destinations[0].ErrorCode + ": " + result.Destinations[0].Message);
        Assert.Equal(locked, (await h.Client(West).GetRepositoryPolicyAsync(new GetRepositoryPolicyRequest { RepositoryName = "locked" })).PolicyText);
    }

    [Fact]
    public async Task A_kms_source_without_a_key_for_the_destination_region_fails_naming_the_setting()
    {
        await using var h = await StartAsync();
        await h.Client(Source).CreateRepositoryAsync(new CreateRepositoryRequest
        {
            RepositoryName = "kms",
            EncryptionConfiguration = new EncryptionConfiguration { EncryptionType = EncryptionType.Kms, KmsKey = "arn:aws:kms:us-east-1:000000000000:key/12341234-1234-4234-8234-123412341234" },
        });
        var image = new SampleImageBuilder(seed: 41).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "kms", image, "v1");

        var result = await h.Replicator().ReplicateAsync(Request("kms", image.Digest, "v1", West), CancellationToken.None);

        var west = result.Destinations[0];
        Assert.Equal(ReplicationOutcome.Failed, west.Outcome);
        Assert.Equal(ReplicationErrorCodes.KmsKeyNotConfigured, west.ErrorCode);
        Assert.Contains(West, west.Message, StringComparison.Ordinal);
        Assert.Contains("KmsKeyIds", west.Message, StringComparison.Ordinal);
        Assert.False(west.Transient);

        var withKey = h.Replicator(FastOptions with { KmsKeyIds = new Dictionary<string, string> { [West] = "arn:aws:kms:us-west-2:000000000000:key/abcdabcd-abcd-4bcd-8bcd-abcdabcdabcd" } });
        var retried = await withKey.ReplicateAsync(Request("kms", image.Digest, "v1", West), CancellationToken.None);
        Assert.True(retried.Succeeded, retried.Destinations[0].Message);
        var repository = (await h.Client(West).DescribeRepositoriesAsync(new DescribeRepositoriesRequest { RepositoryNames = ["kms"] })).Repositories!.Single();
        Assert.Equal("arn:aws:kms:us-west-2:000000000000:key/abcdabcd-abcd-4bcd-8bcd-abcdabcdabcd", repository.EncryptionConfiguration?.KmsKey);
    }

    [Fact]
    public async Task A_late_event_copies_the_digest_but_does_not_move_the_tag_back()
    {
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 42);
        var older = builder.Image(SampleFormat.Oci, [1000]);
        var newer = builder.Image(SampleFormat.Oci, [2000]);
        await h.PushAsync(Source, "late", older, "latest");
        await h.PushAsync(Source, "late", newer, "latest");
        var replicator = h.Replicator();

        var current = await replicator.ReplicateAsync(Request("late", newer.Digest, "latest", West), CancellationToken.None);
        var late = await replicator.ReplicateAsync(Request("late", older.Digest, "latest", West), CancellationToken.None);

        Assert.True(late.Succeeded);
        // The result says which tag the destination holds at the digest: none for the late one, whose copy left it untagged.
        Assert.Equal("latest", current.Destinations[0].Tag);
        Assert.Equal(ReplicationOutcome.Replicated, late.Destinations[0].Outcome);
        Assert.Null(late.Destinations[0].Tag);
        Assert.NotNull(await h.GetImageAsync(West, "late", older.Digest));
        Assert.Equal(newer.Digest, await h.TagDigestAsync(West, "late", "latest"));
    }

    [Fact]
    public async Task An_immutable_tag_with_another_digest_is_a_permanent_failure()
    {
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 43);
        var theirs = builder.Image(SampleFormat.Oci, [1000]);
        var ours = builder.Image(SampleFormat.Oci, [3000]);
        await h.Client(West).CreateRepositoryAsync(new CreateRepositoryRequest { RepositoryName = "pinned", ImageTagMutability = ImageTagMutability.Immutable });
        await h.PushAsync(West, "pinned", theirs, "v1");
        await h.PushAsync(Source, "pinned", ours, "v1");
        h.Server.Calls.Reset();

        var result = await h.Replicator().ReplicateAsync(Request("pinned", ours.Digest, "v1", West), CancellationToken.None);

        var west = result.Destinations[0];
        Assert.Equal(ReplicationOutcome.Failed, west.Outcome);
        Assert.Equal(ReplicationErrorCodes.ImmutableTagConflict, west.ErrorCode);
        // What an operator needs to choose a fix: the repository, the tag and both digests.
        Assert.Equal($"tag 'v1' of the immutable destination repository pinned names {theirs.Digest}, not the replicated {ours.Digest}; retrying cannot fix this", west.Message);
        Assert.False(west.Transient);
        Assert.False(result.ShouldRetry);
        Assert.Equal(theirs.Digest, await h.TagDigestAsync(West, "pinned", "v1"));

        // Found before the copy: nothing uploaded for a PutImage that would refuse the tag, nothing left untagged.
        Assert.Equal(0, h.Calls(West, "InitiateLayerUpload"));
        Assert.Equal(0, h.Calls(West, "PutImage"));
        Assert.Null(await h.GetImageAsync(West, "pinned", ours.Digest));
    }

    /// <summary>
    /// A late event (the source's tag names a newer image now) into a repository where that tag is immutable at the
    /// newer image: the copy leaves the tag alone and copies the digest untagged, which no immutable tag refuses; the
    /// check before the copy must not call it a conflict.
    /// </summary>
    [Fact]
    public async Task A_late_event_into_an_immutable_repository_copies_the_digest_untagged_and_is_no_conflict()
    {
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 48);
        var (older, newer) = (builder.Image(SampleFormat.Oci, [1000]), builder.Image(SampleFormat.Oci, [2000]));
        await h.Client(West).CreateRepositoryAsync(new CreateRepositoryRequest { RepositoryName = "pinned", ImageTagMutability = ImageTagMutability.Immutable });
        await h.PushAsync(Source, "pinned", older, "v1");
        await h.PushAsync(Source, "pinned", newer, "v1");
        var replicator = h.Replicator();
        Assert.True((await replicator.ReplicateAsync(Request("pinned", newer.Digest, "v1", West), CancellationToken.None)).Succeeded);

        var late = Assert.Single((await replicator.ReplicateAsync(Request("pinned", older.Digest, "v1", West), CancellationToken.None)).Destinations);

        Assert.Equal(ReplicationOutcome.Replicated, late.Outcome);
        Assert.Null(late.Tag);
        Assert.NotNull(await h.GetImageAsync(West, "pinned", older.Digest));
        Assert.Equal(newer.Digest, await h.TagDigestAsync(West, "pinned", "v1"));
    }

    /// <summary>
    /// The check before a copy reads the repository's settings: a tag that IMMUTABLE_WITH_EXCLUSION leaves mutable moves
    /// (the copy goes on), and a plainly MUTABLE repository is read once per engine, not once per copy.
    /// </summary>
    [Fact]
    public async Task A_tag_the_repository_leaves_mutable_moves_and_a_mutable_repository_is_read_once()
    {
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 47);
        var (first, second, third) = (builder.Image(SampleFormat.Oci, [1000]), builder.Image(SampleFormat.Oci, [2000]), builder.Image(SampleFormat.Oci, [3000]));
        await h.Client(West).CreateRepositoryAsync(new CreateRepositoryRequest
        {
            RepositoryName = "excluded",
            ImageTagMutability = ImageTagMutability.ImmutableWithExclusion,
            ImageTagMutabilityExclusionFilters = [new ImageTagMutabilityExclusionFilter { FilterType = ImageTagMutabilityExclusionFilterType.Wildcard, Filter = "latest" }],
        });
        await h.Client(West).CreateRepositoryAsync(new CreateRepositoryRequest { RepositoryName = "plain", ImageTagMutability = ImageTagMutability.Mutable });
        await h.PushAsync(West, "excluded", first, "latest");
        await h.PushAsync(Source, "excluded", second, "latest");
        var replicator = h.Replicator();

        var moved = await replicator.ReplicateAsync(Request("excluded", second.Digest, "latest", West), CancellationToken.None);

        Assert.Equal(ReplicationOutcome.Replicated, Assert.Single(moved.Destinations).Outcome);
        Assert.Equal(second.Digest, await h.TagDigestAsync(West, "excluded", "latest"));

        var reads = new List<int>();
        foreach (var image in new[] { first, second, third })
        {
            h.Server.Calls.Reset();
            await h.PushAsync(Source, "plain", image, "latest");
            Assert.True((await replicator.ReplicateAsync(Request("plain", image.Digest, "latest", West), CancellationToken.None)).Succeeded);
            reads.Add(h.Calls(West, "DescribeRepositories"));
        }

        Assert.Equal(third.Digest, await h.TagDigestAsync(West, "plain", "latest"));
        // The first copy reads the repository (for its settings, and for the provisioner's ARN); the next ones do not.
        Assert.NotEqual(0, reads[0]);
        Assert.Equal([0, 0], reads[1..]);
    }

    [Fact]
    public async Task A_source_image_that_no_longer_exists_is_skipped_not_failed()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 44).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "gone", image, "v1");
        await h.Client(Source).BatchDeleteImageAsync(new BatchDeleteImageRequest { RepositoryName = "gone", ImageIds = [new ImageIdentifier { ImageDigest = image.Digest }] });

        var result = await h.Replicator().ReplicateAsync(Request("gone", image.Digest, "v1", West), CancellationToken.None);

        Assert.Equal(ReplicationOutcome.Skipped, result.Destinations[0].Outcome);
        Assert.Equal(ReplicationErrorCodes.SourceImageNotFound, result.Destinations[0].ErrorCode);
        Assert.True(result.Succeeded);
        Assert.Null(await h.GetImageAsync(West, "gone", image.Digest));
    }

    [Fact]
    public async Task A_deleted_tag_is_removed_only_while_it_still_points_at_the_deleted_digest()
    {
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 45);
        var v1 = builder.Image(SampleFormat.Oci, [1000]);
        var v2 = builder.Image(SampleFormat.Oci, [2000]);
        await h.PushAsync(Source, "del", v1, "old");
        await h.PushAsync(Source, "del", v2, "current");
        var replicator = h.Replicator();
        await replicator.ReplicateAsync(Request("del", v1.Digest, "old", West), CancellationToken.None);
        await replicator.ReplicateAsync(Request("del", v2.Digest, "current", West), CancellationToken.None);
        await h.DeleteAsync(Source, "del", new ImageIdentifier { ImageTag = "old" }, new ImageIdentifier { ImageTag = "current" });

        var deleted = await replicator.DeleteAsync(Request("del", v1.Digest, "old", West), CancellationToken.None);
        var stale = await replicator.DeleteAsync(Request("del", v1.Digest, "current", West), CancellationToken.None);

        Assert.Equal(ReplicationOutcome.Deleted, deleted.Destinations[0].Outcome);
        Assert.Null(await h.TagDigestAsync(West, "del", "old"));
        Assert.Equal(ReplicationOutcome.Skipped, stale.Destinations[0].Outcome);
        Assert.Equal(v2.Digest, await h.TagDigestAsync(West, "del", "current"));
    }

    /// <summary>As a copy (FanOutTests.A_destination_whose_client_cannot_be_made_fails_alone_and_the_others_replicate).</summary>
    [Fact]
    public async Task A_destination_whose_client_cannot_be_made_fails_its_delete_alone_and_the_others_delete()
    {
        const string Asia = "ap-northeast-1";
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 48).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "delnoclient", image, "v1");
        await h.Replicator().ReplicateAsync(Request("delnoclient", image.Digest, "v1", West, Europe, Asia), CancellationToken.None);
        await h.DeleteAsync(Source, "delnoclient", new ImageIdentifier { ImageTag = "v1" });
        var replicator = new ImageReplicator(h.Clients, h.Http, FastOptions, destinationClients: new RefusingDestinationClients(h, Europe));

        var deleted = await replicator.DeleteAsync(Request("delnoclient", image.Digest, "v1", West, Europe, Asia), CancellationToken.None);

        var europe = deleted.Destinations.Single(d => d.Destination.Region == Europe);
        Assert.Equal(ReplicationOutcome.Failed, europe.Outcome);
        Assert.Contains($"no client for {Europe}", europe.Message, StringComparison.Ordinal);
        Assert.Equal(2, deleted.Destinations.Count(d => d.Destination.Region != Europe));
        Assert.All(deleted.Destinations.Where(d => d.Destination.Region != Europe), d => Assert.Equal(ReplicationOutcome.Deleted, d.Outcome));
        Assert.Null(await h.TagDigestAsync(West, "delnoclient", "v1"));
        Assert.Null(await h.TagDigestAsync(Asia, "delnoclient", "v1"));
        Assert.Equal(image.Digest, await h.TagDigestAsync(Europe, "delnoclient", "v1"));
    }

    [Fact]
    public async Task A_deleted_tag_is_removed_from_an_archived_destination_image()
    {
        // Without an imageStatus filter DescribeImages answers for ACTIVE images only, so the tag of an archived
        // replica looked absent and the delete was skipped, while the reconciler (every status) sent it again.
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 47).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "thawed", image, "v1");
        var replicator = h.Replicator();
        await replicator.ReplicateAsync(Request("thawed", image.Digest, "v1", West), CancellationToken.None);
        await EcrArchiver.ArchiveAsync(h.Http, h.Server.BaseAddress, West, "thawed", image.Digest);
        await h.DeleteAsync(Source, "thawed", new ImageIdentifier { ImageTag = "v1" });

        var deleted = await replicator.DeleteAsync(Request("thawed", image.Digest, "v1", West), CancellationToken.None);

        Assert.Equal(ReplicationOutcome.Deleted, deleted.Destinations[0].Outcome);
        Assert.Null(await ImageDescriptions.TagDigestAsync(h.Client(West), null, "thawed", "v1", CancellationToken.None));
    }

    [Fact]
    public async Task A_deleted_tag_leaves_the_image_and_its_other_tags_in_place()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 46).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "two", image, "old");
        await h.PushAsync(Source, "two", image, "prod");
        var replicator = h.Replicator();
        await replicator.ReplicateAsync(Request("two", image.Digest, "old", West), CancellationToken.None);
        await replicator.ReplicateAsync(Request("two", image.Digest, "prod", West), CancellationToken.None);
        await h.DeleteAsync(Source, "two", new ImageIdentifier { ImageTag = "old" });

        var deleted = await replicator.DeleteAsync(Request("two", image.Digest, "old", West), CancellationToken.None);

        Assert.Equal(ReplicationOutcome.Deleted, deleted.Destinations[0].Outcome);
        Assert.Null(await h.TagDigestAsync(West, "two", "old"));
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "two", "prod"));
        Assert.NotNull(await h.GetImageAsync(West, "two", image.Digest));
    }

    /// <summary>
    /// Only an index's manifest is read before its delete (for the platform manifests it lists): BatchGetImage is a pull,
    /// which refreshes the lastRecordedPullTime of an image that stays with its other tags, and so would hold it back
    /// from a lifecycle rule or an archive rule that counts days since the last pull
    /// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html).
    /// </summary>
    [Fact]
    public async Task A_tag_deleted_from_an_image_that_is_not_an_index_pulls_nothing()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 49).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "nopull", image, "old");
        await h.PushAsync(Source, "nopull", image, "prod");
        var replicator = h.Replicator();
        await replicator.ReplicateAsync(Request("nopull", image.Digest, "old", West), CancellationToken.None);
        await replicator.ReplicateAsync(Request("nopull", image.Digest, "prod", West), CancellationToken.None);
        await h.DeleteAsync(Source, "nopull", new ImageIdentifier { ImageTag = "old" });
        h.Server.Calls.Reset();

        var deleted = await replicator.DeleteAsync(Request("nopull", image.Digest, "old", West), CancellationToken.None);

        Assert.Equal(ReplicationOutcome.Deleted, deleted.Destinations[0].Outcome);
        Assert.Equal(0, h.Calls(West, "BatchGetImage"));
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "nopull", "prod"));
    }

    /// <summary>
    /// A destination role that may not describe the repository (ecr:DescribeRepositories not granted): the tag check
    /// before the copy counts it mutable, as the reconciler does, and the copy goes on; PutImage still judges the tag.
    /// </summary>
    [Fact]
    public async Task A_repository_whose_settings_may_not_be_read_is_copied_as_mutable()
    {
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 52);
        var (old, current) = (builder.Image(SampleFormat.Oci, [1000]), builder.Image(SampleFormat.Oci, [2000]));
        await h.Client(West).CreateRepositoryAsync(new CreateRepositoryRequest { RepositoryName = "undescribed" });
        await h.PushAsync(West, "undescribed", old, "latest");
        await h.PushAsync(Source, "undescribed", current, "latest");
        h.Server.Faults.FailNext("DescribeRepositories", 1, EcrErrorCodes.AccessDeniedException, region: West);

        var result = await h.Replicator().ReplicateAsync(Request("undescribed", current.Digest, "latest", West), CancellationToken.None);

        Assert.Equal(ReplicationOutcome.Replicated, Assert.Single(result.Destinations).Outcome);
        Assert.Equal(current.Digest, await h.TagDigestAsync(West, "undescribed", "latest"));
    }

    [Theory]
    [InlineData("Bad_Name", "sha256:0000000000000000000000000000000000000000000000000000000000000000", "repository name")]
    [InlineData("ok", "sha256:short", "image digest")]
    [InlineData("ok", null, "digest or a tag")]
    public async Task An_invalid_request_fails_before_any_call_is_made(string repository, string? digest, string expected)
    {
        await using var h = await StartAsync();

        var result = await h.Replicator().ReplicateAsync(Request(repository, digest, null, West), CancellationToken.None);

        Assert.Equal(ReplicationOutcome.Failed, result.Destinations[0].Outcome);
        Assert.Contains(expected, result.Destinations[0].Message, StringComparison.Ordinal);
        Assert.Equal(0, h.Server.Calls.Total);
    }

    /// <summary>
    /// A request naming no destination is the caller's error, refused before any call by a copy, a delete and a dry run
    /// alike: its result would hold no entry to report a failure in, so it read as succeeded with nothing done, and a
    /// caller acknowledging on success would lose the image. So is one whose source is malformed as well, whose
    /// invalid-request failure would have no entry to go in either.
    /// </summary>
    [Theory]
    [InlineData("app")]
    [InlineData("Bad_Name")]
    public async Task A_request_naming_no_destination_is_refused_before_any_call(string repository)
    {
        await using var h = await StartAsync();
        var request = new ReplicationRequest(new ImageReference(Account, Source, repository, "sha256:0000000000000000000000000000000000000000000000000000000000000000", "v1"), []);
        var previewer = new ReplicationPreviewer(h.Clients, new SourceCredentialsDestinationClients(h.Clients));

        var copy = await Assert.ThrowsAsync<ArgumentException>(() => h.Replicator().ReplicateAsync(request, CancellationToken.None));
        var delete = await Assert.ThrowsAsync<ArgumentException>(() => h.Replicator().DeleteAsync(request, CancellationToken.None));
        var preview = await Assert.ThrowsAsync<ArgumentException>(() => previewer.PreviewAsync(request, CancellationToken.None));

        Assert.All((ArgumentException[])[copy, delete, preview], e => Assert.StartsWith("The request names no destination", e.Message, StringComparison.Ordinal));
        Assert.Equal(0, h.Server.Calls.Total);
    }

    /// <summary>
    /// A replicated delete is checked like a copy before any call: a malformed source name or destination region fails
    /// every destination as a permanent InvalidRequest saying what is wrong (the destination's problem marked as the
    /// destination's), and nothing is read or deleted anywhere. Sent on, a destination region that is not a region would
    /// build a host name from it.
    /// </summary>
    [Theory]
    [InlineData("Bad_Name", "us-west-2", "repository name")]
    [InlineData("ok", "US-WEST-2", "destination: region 'US-WEST-2' is not an AWS region name")]
    public async Task An_invalid_delete_request_fails_permanently_before_any_call_is_made(string repository, string destination, string expected)
    {
        await using var h = await StartAsync();
        var request = new ReplicationRequest(new ImageReference(Account, Source, repository, "sha256:0000000000000000000000000000000000000000000000000000000000000000", "v1"), [new ReplicationDestination(destination)]);

        var result = await h.Replicator().DeleteAsync(request, CancellationToken.None);

        var failed = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Failed, failed.Outcome);
        Assert.Equal(ReplicationErrorCodes.InvalidRequest, failed.ErrorCode);
        Assert.False(failed.Transient);
        Assert.Contains(expected, failed.Message, StringComparison.Ordinal);
        Assert.Equal(0, h.Server.Calls.Total);
    }

    /// <summary>
    /// BatchDeleteImage answers a refusal as a failure in a 200, not an error: one that is neither "not found" nor "an
    /// index lists it" fails the destination with ECR's code and reason, and the replica stays. Read as a success, a
    /// delete that did not happen would be reported done and never sent again. A failure a later try can get past
    /// (KmsError, which carries no KMS code to tell a throttle from a disabled key) is transient, as the same code is
    /// when BatchGetImage reads the source: the message comes back, rather than the replica staying for good.
    /// </summary>
    [Theory]
    [InlineData("ImageTagDoesNotMatchDigest", false)]
    [InlineData("KmsError", true)]
    public async Task A_delete_the_destination_refuses_for_another_reason_fails_with_its_code_and_reason(string failureCode, bool transient)
    {
        BeforeRequestHandler? hook = null;
        await using var h = await StartAsync(inner => hook = new BeforeRequestHandler(inner));
        var image = new SampleImageBuilder(seed: 49).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "delrefused", image, "v1");
        await h.Replicator().ReplicateAsync(Request("delrefused", image.Digest, "v1", West), CancellationToken.None);
        await h.DeleteAsync(Source, "delrefused", new ImageIdentifier { ImageDigest = image.Digest });
        hook!.Arm("BatchDeleteImage", image.Digest, () => BeforeRequestHandler.Answer($$"""{"imageIds":[],"failures":[{"imageId":{"imageDigest":"{{image.Digest}}"},"failureCode":"{{failureCode}}","failureReason":"refused here"}]}"""));

        var result = await h.Replicator().DeleteAsync(Request("delrefused", image.Digest, null, West), CancellationToken.None);

        Assert.True(hook.Fired);
        var west = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Failed, west.Outcome);
        Assert.Equal(failureCode, west.ErrorCode);
        Assert.Equal("delete refused: refused here", west.Message);
        Assert.Equal(transient, west.Transient);
        Assert.Equal(transient, result.ShouldRetry);
        Assert.False(result.Succeeded);
        Assert.NotNull(await h.GetImageAsync(West, "delrefused", image.Digest));
    }

    /// <summary>
    /// A destination without an account is in the source's (RequestValidator reads a missing account as the source's),
    /// so the source's own region named bare, in a request that names the source's account, is the source registry
    /// itself: refused before any call, as its ACCOUNT:REGION spelling is, rather than copied onto itself.
    /// </summary>
    [Fact]
    public async Task The_source_region_named_without_an_account_is_refused_as_the_source_registry_itself()
    {
        await using var h = await StartAsync();

        var result = await h.Replicator().ReplicateAsync(Request("ok", "sha256:0000000000000000000000000000000000000000000000000000000000000000", "v1", Source), CancellationToken.None);

        var destination = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Failed, destination.Outcome);
        Assert.Equal(ReplicationErrorCodes.InvalidRequest, destination.ErrorCode);
        Assert.Contains("is the source registry itself", destination.Message, StringComparison.Ordinal);
        Assert.Equal(0, h.Server.Calls.Total);
    }

    /// <summary>ECR takes a tag of up to 300 characters (botocore's model, <c>ImageTag</c>) that may start with '-' or '.'.</summary>
    [Theory]
    [InlineData("-rc")]
    [InlineData(null)]
    public async Task A_tag_ecr_accepts_but_the_distribution_spec_does_not_is_copied(string? tag)
    {
        tag ??= new string('t', 300);
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 41).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "tags", image, tag);

        var result = await h.Replicator().ReplicateAsync(Request("tags", image.Digest, tag, West), CancellationToken.None);

        Assert.True(result.Succeeded, result.Destinations[0].Message);
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "tags", tag));
    }
}
