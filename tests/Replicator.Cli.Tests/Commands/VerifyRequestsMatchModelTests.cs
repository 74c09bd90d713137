using Replicator.Cli.Tests.Support;
using Replicator.Samples;
using Replicator.Testing;

namespace Replicator.Cli.Tests.Commands;

/// <summary>
/// Every ECR request of a <c>verify</c> run and of a <c>sync --enqueue</c> drift scan (the function's Reconciler over
/// Core's DriftScanner), as LocalEcr received it, satisfies botocore's ECR model, unknown members included (ECR
/// ignores those, so LocalEcr's own check cannot catch them). The replicator's copy and delete paths are checked the
/// same way in Replicator.Core.Tests (RequestsMatchModelTests).
/// </summary>
public sealed class VerifyRequestsMatchModelTests
{
    private static readonly string[] Regions = ["--source-region", CliHarness.Source, "--destination-region", CliHarness.West];

    [Fact]
    public async Task Every_request_of_verify_and_of_an_enqueue_scan_satisfies_the_model()
    {
        await using var h = await CliHarness.StartAsync(null, options => options.RecordRequests = true);
        await using var sqs = await FakeSqsServer.StartAsync();
        var builder = new SampleImageBuilder(seed: 45);
        var index = builder.MultiArch(SampleFormat.Oci, [1024, 2048], withAttestation: true);
        var sbom = builder.Artifact(index.Root);
        await h.PushAsync(CliHarness.Source, "team/app", index, "v1");
        await h.PushAsync(CliHarness.Source, "team/app", sbom, null);
        var synced = await h.RunAsync(["sync", .. Regions]);
        Assert.True(synced.ExitCode == 0, synced.ToString());
        await h.PushAsync(CliHarness.Source, "team/app", CliHarness.Single(46), "v2");
        h.Server.Calls.Reset();

        var verify = await h.RunAsync(["verify", .. Regions]);
        var verified = h.Server.Calls.Requests;
        var enqueue = await h.RunWithAsync(
            h.Environment(("AWS_ENDPOINT_URL_SQS", sqs.Endpoint.AbsoluteUri)), null,
            ["sync", .. Regions, "--enqueue", new Uri(sqs.Endpoint, "/000000000000/replicator.fifo").AbsoluteUri]);
        var requests = h.Server.Calls.Requests;

        Assert.True(verify.ExitCode == 1, verify.ToString());
        Assert.True(enqueue.ExitCode == 0, enqueue.ToString());
        // Each run used the operations whose requests are checked below (expected subset first). Verify lists every
        // image and asks ListImageReferrers only about subjects the listing names referrers of (here the index, which
        // has an SBOM: for its artifactType) and BatchGetImage only for an index in a repository holding referrers.
        Assert.Superset(new HashSet<string>(StringComparer.Ordinal) { "DescribeImages", "BatchGetImage", "ListImageReferrers" }, verified.Select(r => r.Operation).ToHashSet(StringComparer.Ordinal));
        // The scan reads each subject's referrers from the source listing's subjectManifestDigest (LocalEcr fills it, as
        // ECR documents), so it lists images and asks nothing per digest: no ListImageReferrers, no BatchGetImage.
        var scanned = requests.Skip(verified.Count).Select(r => r.Operation).ToHashSet(StringComparer.Ordinal);
        Assert.Superset(new HashSet<string>(StringComparer.Ordinal) { "DescribeRepositories", "DescribeImages" }, scanned);
        Assert.DoesNotContain("ListImageReferrers", scanned);
        var violations = ModelRequestCheck.Violations(requests.Select(r => (r.Operation, r.Body)));
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }
}
