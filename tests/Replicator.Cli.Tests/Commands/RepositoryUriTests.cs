using Replicator.Cli.Tests.Support;

namespace Replicator.Cli.Tests.Commands;

/// <summary>
/// sync and verify given <c>--repository</c> as a repository URI (the console's and describe-repositories'
/// <c>repositoryUri</c>), as copy takes an image URI: the host names the source registry (LocalEcr's caller account
/// 000000000000). Before, the host was read as part of the repository name and both said it did not exist.
/// </summary>
public sealed class RepositoryUriTests
{
    private const string Uri = "000000000000.dkr.ecr.us-east-1.amazonaws.com/team/app";

    [Fact]
    public async Task Sync_takes_a_repository_uri_of_the_source_registry()
    {
        await using var h = await CliHarness.StartAsync();
        var image = CliHarness.Single(401);
        await h.PushAsync(CliHarness.Source, "team/app", image, "1.0");
        await h.PushAsync(CliHarness.Source, "team/other", CliHarness.Single(402), "1.0");

        var run = await h.RunAsync("sync", "--repository", Uri, "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(image.Digest, await h.TagDigestAsync(CliHarness.West, "team/app", "1.0"));
        Assert.Null(await h.TagDigestAsync(CliHarness.West, "team/other", "1.0"));
    }

    [Fact]
    public async Task Verify_takes_a_repository_uri_and_its_region_is_the_source_region_when_none_is_given()
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "team/app", CliHarness.Single(403), "1.0");
        Assert.Equal(0, (await h.RunAsync("sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West)).ExitCode);

        // No --source-region, and AWS_REGION names another region: the URI is the more specific of the two.
        var run = await h.RunWithAsync(h.Environment(("AWS_REGION", CliHarness.Europe)), null, "verify", "--repository", Uri, "--destination-region", CliHarness.West, "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("\"sourceRegion\":\"us-east-1\"", run.Output, StringComparison.Ordinal);
        Assert.Contains("\"inSync\":true", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_repository_uri_of_another_account_is_refused_by_name_and_nothing_is_copied()
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "team/app", CliHarness.Single(404), "1.0");

        var run = await h.RunAsync("sync", "--repository", "111111111111.dkr.ecr.us-east-1.amazonaws.com/team/app", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError("--repository '111111111111.dkr.ecr.us-east-1.amazonaws.com/team/app' is in account 111111111111's registry, but the source registry in us-east-1 is account 000000000000's");
        Assert.Equal(0, h.WritesTo(CliHarness.West));
    }

    [Fact]
    public async Task A_repository_uri_of_another_region_than_source_region_is_refused_by_name()
    {
        await using var h = await CliHarness.StartAsync();

        var run = await h.RunAsync("verify", "--repository", "000000000000.dkr.ecr.eu-west-1.amazonaws.com/team/app", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError("--repository '000000000000.dkr.ecr.eu-west-1.amazonaws.com/team/app' is in the registry of eu-west-1, not of --source-region us-east-1");
        Assert.Empty(run.Output);
    }

    [Theory]
    [InlineData("team/app:1.0")]
    [InlineData("000000000000.dkr.ecr.us-east-1.amazonaws.com/team/app:1.0")]
    public async Task An_image_given_as_repository_is_refused_naming_the_form_to_give(string value)
    {
        await using var h = await CliHarness.StartAsync();

        var run = await h.RunAsync("sync", "--repository", value, "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError($"--repository '{value}' names an image, not a repository: give REPOSITORY or its URI");
    }
}
