using Replicator.Cli.Tests.Support;
using Replicator.Core.Signing;
using Replicator.Testing;

namespace Replicator.Cli.Tests.Commands;

/// <summary>
/// Each test that reaches the source runs under both readings of an undocumented ECR behaviour (docs/fidelity.md,
/// "Known unknowns"): DescribeImages of an image asked by id honouring <c>filter.imageStatus</c> (LocalEcr's default),
/// or describing ACTIVE images only there (<see cref="LocalEcr.LocalEcrOptions.DescribeImagesByIdActiveOnly"/>).
/// </summary>
public sealed class CopyCommandTests
{
    private static Task<CliHarness> StartAsync(bool idsActiveOnly) =>
        CliHarness.StartAsync(null, o => o.DescribeImagesByIdActiveOnly = idsActiveOnly);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Copy_by_tag_copies_that_image_only(bool idsActiveOnly)
    {
        await using var h = await StartAsync(idsActiveOnly);
        var wanted = CliHarness.Sample(1);
        await h.PushAsync(CliHarness.Source, "app", wanted, "v1");
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(2), "v2");

        var run = await h.RunAsync("copy", "app:v1", "--source-region", CliHarness.Source, "--destination-region", $"{CliHarness.West},{CliHarness.Europe}");

        Assert.True(run.ExitCode == 0, run.ToString());
        run.AssertNoAnsi();
        Assert.Equal(wanted.Digest, await h.TagDigestAsync(CliHarness.West, "app", "v1"));
        Assert.Equal(wanted.Digest, await h.TagDigestAsync(CliHarness.Europe, "app", "v1"));
        Assert.Null(await h.TagDigestAsync(CliHarness.West, "app", "v2"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Copy_by_digest_copies_the_image_without_a_tag(bool idsActiveOnly)
    {
        await using var h = await StartAsync(idsActiveOnly);
        var image = CliHarness.Single(3);
        await h.PushAsync(CliHarness.Source, "app", image, "v1");

        var run = await h.RunAsync("copy", $"app@{image.Digest}", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Null(await h.TagDigestAsync(CliHarness.West, "app", "v1"));
        var described = await h.Client(CliHarness.West).DescribeImagesAsync(new() { RepositoryName = "app", ImageIds = [new() { ImageDigest = image.Digest }] });
        Assert.Equal(image.Digest, Assert.Single(described.ImageDetails!).ImageDigest);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Source_region_defaults_to_AWS_REGION(bool idsActiveOnly)
    {
        await using var h = await StartAsync(idsActiveOnly);
        var image = CliHarness.Single(4);
        await h.PushAsync(CliHarness.Source, "app", image, "v1");

        var run = await h.RunWithAsync(h.Environment(("AWS_REGION", CliHarness.Source)), null, "copy", "app:v1", "--destination-region", CliHarness.West);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(image.Digest, await h.TagDigestAsync(CliHarness.West, "app", "v1"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_missing_image_is_a_one_line_error(bool idsActiveOnly)
    {
        await using var h = await StartAsync(idsActiveOnly);
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(5), "v1");

        var run = await h.RunAsync("copy", "app:nope", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError("app:nope does not exist in us-east-1");
        Assert.Equal(0, h.WritesTo(CliHarness.West));
    }

    /// <summary>
    /// An archived source image exists: it is reported archived (nothing can copy it until it is restored), not as a
    /// typo, named by tag or by digest. Before, under the active-only reading, the lookup by id answered
    /// ImageNotFoundException and copy said the image did not exist (exit 2).
    /// </summary>
    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task An_archived_image_is_reported_archived_not_missing(bool idsActiveOnly, bool byDigest)
    {
        await using var h = await StartAsync(idsActiveOnly);
        var image = CliHarness.Single(6);
        await h.PushAsync(CliHarness.Source, "app", image, "v1");
        using (var http = new HttpClient())
        {
            await EcrArchiver.ArchiveAsync(http, h.Server.BaseAddress, CliHarness.Source, "app", image.Digest, new AwsCredentials(CliHarness.AccessKey, CliHarness.SecretKey));
        }

        var run = await h.RunAsync("copy", byDigest ? $"app@{image.Digest}" : "app:v1", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("archived", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("does not exist", run.Output + run.Error, StringComparison.Ordinal);
        Assert.Equal(0, h.WritesTo(CliHarness.West));
    }

    [Theory]
    [InlineData("App:v1", "repository name 'App' is invalid")]
    [InlineData("app", "must be REPOSITORY:TAG or REPOSITORY@DIGEST")]
    [InlineData("app:bad+tag", "image tag 'bad+tag' is invalid")]
    [InlineData("app@sha256:123", "image digest 'sha256:123' is invalid")]
    // Docker's NAME:TAG@DIGEST names both (the digest wins there); ECR's tag pattern has neither ':' nor '@', so the
    // ':' before the '@' can only end a tag. Was "repository name 'app:v1' is invalid", which blamed a valid name.
    [InlineData("app:v1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "image 'app:v1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef' names both a tag and a digest: give REPOSITORY:TAG or REPOSITORY@DIGEST")]
    public async Task Bad_image_arguments_are_one_line_errors(string image, string expected)
    {
        await using var h = await CliHarness.StartAsync();

        var run = await h.RunAsync("copy", image, "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError(expected);
    }

    /// <summary>
    /// SIGNATURE_WAIT_SECONDS in the environment (the function's, exported) makes <c>copy</c> wait for the signature ECR's
    /// managed signing is still making, as the function does: it travels in the same copy. LocalEcr's signing is ended
    /// during the CLI's first pause.
    /// </summary>
    [Fact]
    public async Task With_the_functions_signature_wait_copy_waits_for_a_managed_signature_and_copies_it()
    {
        await using var h = await CliHarness.StartAsync(null, o => o.SigningDuration = TimeSpan.FromHours(1));
        await h.SignPushesAsync(CliHarness.Source, "arn:aws:signer:us-east-1:000000000000:/signing-profiles/release");

        var image = CliHarness.Single(61);
        await h.PushAsync(CliHarness.Source, "app", image, "v1");
        var clock = new WaitsElapseAtOnceClock(h.Server.FinishSigning);

        var run = await h.RunCancellableAsync(h.Environment(("SIGNATURE_WAIT_SECONDS", "30")), clock, CancellationToken.None, "copy", "app:v1", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.True(run.ExitCode == 0, run.ToString());
        var signature = Assert.Single((await h.Client(CliHarness.Source).ListImageReferrersAsync(new() { RepositoryName = "app", SubjectId = new() { ImageDigest = image.Digest } })).Referrers!);
        var held = await h.Client(CliHarness.West).ListImageReferrersAsync(new() { RepositoryName = "app", SubjectId = new() { ImageDigest = image.Digest } });
        Assert.Equal(signature.Digest, Assert.Single(held.Referrers!).Digest);
        Assert.Contains(TimeSpan.FromSeconds(1), clock.Waits);
    }

    [Fact]
    public async Task A_signature_wait_out_of_range_is_a_usage_error_naming_the_variable()
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(62), "v1");

        var run = await h.RunWithAsync(h.Environment(("SIGNATURE_WAIT_SECONDS", "301")), null, "copy", "app:v1", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError("SIGNATURE_WAIT_SECONDS must be a whole number of seconds from 0 (off) to 300, not '301'");
        Assert.Equal(0, h.WritesTo(CliHarness.West));
    }

    /// <summary>
    /// Only a copy waits for a signature: a SIGNATURE_WAIT_SECONDS the CLI refuses stops <c>copy</c> and <c>sync</c>, and
    /// leaves <c>verify</c> and a dry run, which copy nothing, to run as they would without it.
    /// </summary>
    [Fact]
    public async Task A_signature_wait_the_CLI_refuses_stops_only_the_commands_that_copy()
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(63), "v1");
        var synced = await h.RunAsync("copy", "app:v1", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);
        Assert.True(synced.ExitCode == 0, synced.ToString());
        var environment = h.Environment(("SIGNATURE_WAIT_SECONDS", "abc"));
        string[] selection = ["--source-region", CliHarness.Source, "--destination-region", CliHarness.West];

        var verify = await h.RunWithAsync(environment, null, ["verify", .. selection]);
        var dryRun = await h.RunWithAsync(environment, null, ["sync", .. selection, "--dry-run"]);
        var sync = await h.RunWithAsync(environment, null, ["sync", .. selection]);

        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
        Assert.Equal(2, sync.ExitCode);
        sync.AssertOneLineError("SIGNATURE_WAIT_SECONDS must be a whole number of seconds from 0 (off) to 300, not 'abc'");
    }
}
