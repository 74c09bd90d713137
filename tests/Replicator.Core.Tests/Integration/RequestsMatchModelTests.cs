using Replicator.Core.Ecr.Model;
using Replicator.Core.Reconciliation;
using Replicator.Core.Replication;
using Replicator.Samples;
using Replicator.Testing;
using Replicator.Core.Tests.Replication;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Integration;

/// <summary>
/// Every ECR request the replicator sends, recorded on the wire during replications that touch every
/// operation it uses, a replicated delete and a reconcile drift scan, satisfies botocore's ECR model: only
/// members the model defines, required members present, lengths, ranges, patterns and enums respected
/// (LocalEcr/Model/ecr-model.json, generated). The CLI's verify run is checked the same way in
/// Replicator.Cli.Tests (VerifyRequestsMatchModelTests).
/// </summary>
public sealed class RequestsMatchModelTests
{
    private const string Lifecycle = """{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}""";
    private const string Policy = """{"Version":"2012-10-17","Statement":[{"Sid":"pull","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":["ecr:BatchGetImage"]}]}""";

    [Fact]
    public async Task Every_request_sent_during_replication_satisfies_the_model()
    {
        PassThroughRecorder? recorder = null;
        await using var h = await StartAsync(inner => recorder = new PassThroughRecorder(inner));
        var source = h.Client(Source);
        await source.CreateRepositoryAsync(new CreateRepositoryRequest
        {
            RepositoryName = "team/configured",
            ImageTagMutability = ImageTagMutability.ImmutableWithExclusion,
            ImageTagMutabilityExclusionFilters = [new ImageTagMutabilityExclusionFilter { FilterType = ImageTagMutabilityExclusionFilterType.Wildcard, Filter = "dev-*" }],
            ImageScanningConfiguration = new ImageScanningConfiguration { ScanOnPush = true },
            Tags = [new Tag { Key = "team", Value = "platform" }],
        });
        await source.PutLifecyclePolicyAsync(new PutLifecyclePolicyRequest { RepositoryName = "team/configured", LifecyclePolicyText = Lifecycle });
        await source.SetRepositoryPolicyAsync(new SetRepositoryPolicyRequest { RepositoryName = "team/configured", PolicyText = Policy });
        var builder = new SampleImageBuilder(seed: 70);
        var index = builder.MultiArch(SampleFormat.Oci, [1000, 2000], withAttestation: true);
        await h.PushAsync(Source, "team/configured", index, "v1");
        await source.CreateRepositoryAsync(new CreateRepositoryRequest { RepositoryName = "plain" });

        // Two parts per layer: UploadLayerPart with a non-zero first byte.
        var large = builder.Image(SampleFormat.Docker, [(12L * 1024 * 1024) + 17, 3000]);
        await h.PushAsync(Source, "plain", large, "v2");

        Assert.True((await h.Replicator().ReplicateAsync(Request("team/configured", index.Digest, "v1", West, Europe), CancellationToken.None)).Succeeded);
        Assert.True((await h.Replicator().ReplicateAsync(Request("plain", large.Digest, "v2", West), CancellationToken.None)).Succeeded);

        // Again, with the managed-signing wait on: nothing signs, so one DescribeImageSigningStatus and no pause.
        var waiting = FastOptions with { SignatureWait = TimeSpan.FromSeconds(30) };
        Assert.True((await h.Replicator(waiting).ReplicateAsync(Request("plain", large.Digest, "v2", West), CancellationToken.None)).Succeeded);

        // A replicated delete: the source is read (it no longer has the tag), the destination's tag, then BatchDeleteImage.
        await h.DeleteAsync(Source, "plain", new ImageIdentifier { ImageTag = "v2" });
        Assert.True((await h.Replicator().DeleteAsync(Request("plain", large.Digest, "v2", West), CancellationToken.None)).Succeeded);

        // A tag no event brought: the drift the pass below must find.
        await h.PushAsync(Source, "plain", large, "v3");

        var replication = recorder!.Requests.ToList();

        // A reconcile pass, as the function's Reconciler drives the scanner: the repositories, each one's source and
        // destination listings and the drift of each digest (the referrers from the source listing: none here, and
        // ListImageReferrers is checked in the replication's requests).
        var scanner = new DriftScanner(
            source, new SourceCredentialsDestinationClients(h.Clients), [new ReplicationDestination(West), new ReplicationDestination(Europe)],
            RepositoryMapping.Identity, new DriftSelection { ReplicateDeletes = true });
        var run = new DriftScanRun(Source);
        var drift = new List<DriftItem>();
        foreach (var repository in await scanner.RepositoriesAsync(CancellationToken.None))
        {
            var scan = await scanner.ScanAsync(repository, run, null, CancellationToken.None);
            Assert.NotNull(scan);
            drift.AddRange(scanner.DeletedTags(scan));
            foreach (var digest in scan.TagsByDigest.Keys)
            {
                drift.AddRange((await scanner.DigestDriftAsync(scan, run, digest, null, CancellationToken.None)).Items);
            }
        }

        Assert.Contains(drift, d => d.Repository == "plain" && d.Tag == "v3");
        // xUnit's Superset takes the expected subset first: every operation named here was sent.
        var scanned = recorder.Requests.Skip(replication.Count).Select(r => r.Operation).ToHashSet(StringComparer.Ordinal);
        Assert.Superset(new HashSet<string>(StringComparer.Ordinal) { "DescribeRepositories", "DescribeImages" }, scanned);

        var requests = recorder.Requests.ToList();
        var sent = replication.Select(r => r.Operation).ToHashSet(StringComparer.Ordinal);
        Assert.Superset(
            new HashSet<string>(StringComparer.Ordinal)
            {
                "BatchGetImage", "BatchCheckLayerAvailability", "CompleteLayerUpload", "CreateRepository", "DescribeImages", "DescribeRepositories",
                "GetDownloadUrlForLayer", "GetLifecyclePolicy", "GetRepositoryPolicy", "InitiateLayerUpload", "ListTagsForResource", "PutImage",
                "PutLifecyclePolicy", "SetRepositoryPolicy", "UntagResource", "UploadLayerPart", "ListImageReferrers", "BatchDeleteImage", "DescribeImageSigningStatus",
            },
            sent);

        var violations = ModelRequestCheck.Violations(requests);
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }
}
