using Replicator.Cli.Commands;
using Replicator.Cli.Tests.Support;
using Replicator.Testing;

namespace Replicator.Cli.Tests.Commands;

/// <summary>Without --source-region the CLI takes the region as the AWS CLI does: environment, then the profile.</summary>
public sealed class DefaultRegionTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("replicator-region-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private string Config()
    {
        var path = Path.Combine(_work, "config");
        File.WriteAllText(path, $"""
            [default]
            region = eu-central-1

            [profile ops]
            output = json
            region = {CliHarness.Source}
            """);
        return path;
    }

    [Theory]
    [InlineData("ops", null, null, CliHarness.Source)]
    [InlineData(null, null, null, "eu-central-1")]
    [InlineData("ops", null, "ap-south-1", "ap-south-1")]
    [InlineData("ops", "ca-central-1", "ap-south-1", "ca-central-1")]
    [InlineData("ops", "", "", CliHarness.Source)] // empty variables count as unset
    [InlineData("missing", null, null, null)]
    public void AWS_REGION_then_AWS_DEFAULT_REGION_then_the_profiles_region(string? profile, string? region, string? defaultRegion, string? expected)
    {
        var values = new Dictionary<string, string> { ["AWS_CONFIG_FILE"] = Config() };
        if (profile is not null)
        {
            values["AWS_PROFILE"] = profile;
        }

        if (region is not null)
        {
            values["AWS_REGION"] = region;
        }

        if (defaultRegion is not null)
        {
            values["AWS_DEFAULT_REGION"] = defaultRegion;
        }

        Assert.Equal(expected, SelectionOptions.DefaultRegion(DictionaryEnvironmentVariables.Of(values)));
    }

    /// <summary>
    /// botocore reads [profile default] as the default profile too (configloader.build_profile_map), the later of it
    /// and [default] replacing the other: the AWS CLI's region is that section's.
    /// </summary>
    [Theory]
    [InlineData("[profile default]\nregion = ap-south-1\n", "ap-south-1")]
    [InlineData("[default]\nregion = eu-central-1\n\n[profile default]\nregion = ap-south-1\n", "ap-south-1")]
    [InlineData("[profile default]\nregion = ap-south-1\n\n[default]\nregion = eu-central-1\n", "eu-central-1")]
    [InlineData("[profile default]\noutput = json\n\n[default]\nregion = eu-central-1\n", "eu-central-1")]
    [InlineData("[default]\nregion = eu-central-1\n\n[profile default]\noutput = json\n", null)]
    public void The_default_profiles_region_is_read_from_profile_default_as_botocore_reads_it(string config, string? expected)
    {
        var path = Path.Combine(_work, "config");
        File.WriteAllText(path, config);

        Assert.Equal(expected, SelectionOptions.DefaultRegion(DictionaryEnvironmentVariables.Of(new Dictionary<string, string> { ["AWS_CONFIG_FILE"] = path })));
    }

    [Fact]
    public async Task Sync_without_source_region_copies_from_the_region_of_AWS_PROFILE()
    {
        await using var h = await CliHarness.StartAsync();
        var image = CliHarness.Single(95);
        await h.PushAsync(CliHarness.Source, "app", image, "v1");

        var run = await h.RunWithAsync(h.Environment(("AWS_CONFIG_FILE", Config()), ("AWS_PROFILE", "ops")), null, "sync", "--destination-region", CliHarness.West, "--repository", "app");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(image.Digest, await h.TagDigestAsync(CliHarness.West, "app", "v1"));
    }

    [Fact]
    public void The_region_kept_in_the_credentials_file_beside_the_keys_is_the_profiles_region_as_for_the_AWS_CLI()
    {
        var credentials = Path.Combine(_work, "credentials");
        File.WriteAllText(credentials, "[ops]\naws_access_key_id = AKIAEXAMPLE\nregion = eu-west-3\n");
        var environment = DictionaryEnvironmentVariables.Of(new Dictionary<string, string>
        {
            ["AWS_CONFIG_FILE"] = Config(),
            ["AWS_SHARED_CREDENTIALS_FILE"] = credentials,
            ["AWS_PROFILE"] = "ops",
        });

        Assert.Equal(("eu-west-3", "region of the profile in the shared credentials file"), SelectionOptions.DefaultRegionSetting(environment));
    }

    [Theory]
    [InlineData("AWS_REGION")]
    [InlineData("AWS_DEFAULT_REGION")]
    public async Task A_bad_default_region_is_blamed_on_the_variable_it_came_from_not_on_source_region(string variable)
    {
        await using var h = await CliHarness.StartAsync();

        var run = await h.RunWithAsync(h.Environment((variable, "us east 1")), null, "verify", "--destination-region", CliHarness.West, "--repository", "app");

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError(variable);
        Assert.DoesNotContain("--source-region:", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sync_reaches_the_endpoint_the_profile_names_in_the_config_file_as_the_AWS_CLI_would()
    {
        await using var h = await CliHarness.StartAsync();
        var image = CliHarness.Single(96);
        await h.PushAsync(CliHarness.Source, "app", image, "v1");
        var config = Path.Combine(_work, "endpoint-config");
        File.WriteAllText(config, $"[profile local]\nregion = {CliHarness.Source}\nendpoint_url = {h.Server.BaseAddress}\n");

        // No AWS_ENDPOINT_URL* variable: the endpoint comes from the profile only.
        var environment = DictionaryEnvironmentVariables.Of(new Dictionary<string, string> { ["AWS_CONFIG_FILE"] = config, ["AWS_PROFILE"] = "local" });
        var run = await h.RunWithAsync(environment, null, "sync", "--destination-region", CliHarness.West, "--repository", "app");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(image.Digest, await h.TagDigestAsync(CliHarness.West, "app", "v1"));
    }
}
