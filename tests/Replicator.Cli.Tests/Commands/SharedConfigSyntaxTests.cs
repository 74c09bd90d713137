using Replicator.Cli.Commands;
using Replicator.Cli.Tests.Support;
using Replicator.Core.Configuration;
using Replicator.Core.Ecr;
using Replicator.Testing;

namespace Replicator.Cli.Tests.Commands;

/// <summary>
/// The profile settings the CLI reads itself (region, FIPS, endpoints) are read from the shared config file as the AWS
/// CLI reads them: botocore parses the file with Python's configparser (botocore/configloader.py, raw_config_parse),
/// where a key may be indented (a line is a nested sub-setting only when it is indented deeper than the key above it)
/// and ':' separates a key from its value as '=' does. Each expected value below is what botocore 1.43 resolves for the
/// same file (<c>Session().get_config_variable('region')</c>, <c>create_client('ecr').meta.endpoint_url</c>).
/// </summary>
public sealed class SharedConfigSyntaxTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("replicator-config-syntax-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private DictionaryEnvironmentVariables Environment(string config, params (string Name, string Value)[] more)
    {
        var path = Path.Combine(_work, "config");
        File.WriteAllText(path, config);
        var values = new Dictionary<string, string>
        {
            ["AWS_CONFIG_FILE"] = path,
            ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(_work, "no-credentials"),
        };
        foreach (var (name, value) in more)
        {
            values[name] = value;
        }

        return DictionaryEnvironmentVariables.Of(values);
    }

    [Theory]
    [InlineData("[default]\n  region = eu-west-3\n  output = json\n", null, "eu-west-3")]
    [InlineData("[default]\nregion = us-east-1\n\n[profile ops]\n    output = json\n    region = ap-south-1\n", "ops", "ap-south-1")]
    [InlineData("[default]\n\tregion = eu-west-3\n", null, "eu-west-3")]
    [InlineData("[default]\nregion: eu-west-3\n", null, "eu-west-3")]
    [InlineData("[default]\nregion : eu-west-3\n", null, "eu-west-3")]
    public void An_indented_or_colon_separated_region_is_the_profiles_region_as_for_the_AWS_CLI(string config, string? profile, string expected)
    {
        var environment = profile is null ? Environment(config) : Environment(config, ("AWS_PROFILE", profile));

        Assert.Equal(expected, SelectionOptions.DefaultRegion(environment));
    }

    [Fact]
    public void A_key_indented_deeper_than_the_key_above_it_is_still_that_keys_sub_setting_not_the_profiles()
    {
        // configparser reads the deeper line as a continuation of "s3 =", which botocore parses as s3's own settings.
        var environment = Environment("[default]\nregion = us-east-1\ns3 =\n  region = eu-west-3\n");

        Assert.Equal("us-east-1", SelectionOptions.DefaultRegion(environment));
    }

    [Fact]
    public void An_indented_use_fips_endpoint_turns_FIPS_on_as_for_the_AWS_CLI()
    {
        // botocore: https://ecr-fips.us-east-1.amazonaws.com for this file. Read as absent, the CLI went to the non-FIPS
        // endpoint without a word.
        var environment = Environment("[default]\n  region = us-east-1\n  use_fips_endpoint = true\n");

        Assert.True(EcrEndpoints.UseFips(environment));
        Assert.Equal(new Uri("https://ecr-fips.us-east-1.amazonaws.com/"), EcrEndpoints.Resolve("us-east-1", environment));
    }

    [Fact]
    public void A_services_section_whose_service_key_is_indented_nests_by_relative_indentation()
    {
        // botocore: full_config['services'] == {'loc': {'ecr': {'endpoint_url': 'http://127.0.0.1:5111'}}}.
        var environment = Environment("[default]\nservices = loc\n\n[services loc]\n  ecr =\n    endpoint_url = http://127.0.0.1:5111\n");

        Assert.Equal("http://127.0.0.1:5111", ConfiguredEndpoint.Find(environment, EcrEndpoints.ServiceEndpointVariable)?.Value);
    }

    [Fact]
    public async Task A_region_continued_on_a_deeper_line_is_refused_as_the_AWS_CLI_refuses_it()
    {
        // botocore's region is 'us-east-1\neu-west-1' (configparser joins the lines), which the AWS CLI refuses: "Provided
        // region_name ... doesn't match a supported format". Read as its first line, the CLI copied from us-east-1.
        await using var h = await CliHarness.StartAsync();
        var environment = Environment("[default]\nregion = us-east-1\n    eu-west-1\n", ("AWS_ENDPOINT_URL_ECR", h.Server.BaseAddress.ToString()));

        var run = await h.RunWithAsync(environment, null, "verify", "--destination-region", CliHarness.West, "--repository", "app");

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError("region of the profile in the shared config file");
        Assert.Contains("'us-east-1\\u000aeu-west-1'", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_config_file_the_AWS_CLI_cannot_parse_stops_the_command_naming_the_file_and_line()
    {
        // The bad line is in a profile the command does not use: botocore parses the whole file and fails all the same.
        await using var h = await CliHarness.StartAsync();
        var environment = Environment("[default]\nregion = us-east-1\n\n[profile other]\ngarbage\n", ("AWS_ENDPOINT_URL_ECR", h.Server.BaseAddress.ToString()));

        var run = await h.RunWithAsync(environment, null, "verify", "--destination-region", CliHarness.West, "--repository", "app");

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError($"the shared config file {Path.Combine(_work, "config")} cannot be parsed");
        Assert.Contains("line 5: the line is neither a [section] header nor a name = value setting", run.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// A secret access key pasted into the credentials file with a hard line break: its second half is a line the AWS
    /// CLI cannot parse either. The error names the file and the line's number only. It quoted the line before, and
    /// seventeen characters of a key are too short for the console's redactor to recognise as a secret: they were
    /// printed.
    /// </summary>
    [Fact]
    public async Task A_credentials_file_line_the_AWS_CLI_cannot_parse_is_named_by_its_number_and_none_of_the_key_is_printed()
    {
        const string FirstHalf = "wJalrXUtnFEMI/K7MDENG/b";
        const string SecondHalf = "PxRfiCYEXAMPLEKEY";
        await using var h = await CliHarness.StartAsync();
        var credentials = Path.Combine(_work, "credentials");
        File.WriteAllText(credentials, $"[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = {FirstHalf}\n{SecondHalf}\n");
        var environment = Environment("[default]\nregion = us-east-1\n", ("AWS_SHARED_CREDENTIALS_FILE", credentials), ("AWS_ENDPOINT_URL_ECR", h.Server.BaseAddress.ToString()));

        var run = await h.RunWithAsync(environment, null, "verify", "--destination-region", CliHarness.West, "--repository", "app");

        Assert.Equal(2, run.ExitCode);
        Assert.DoesNotContain(SecondHalf, run.Output + run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(FirstHalf, run.Output + run.Error, StringComparison.Ordinal);
        run.AssertOneLineError($"the shared credentials file {credentials} cannot be parsed");
        Assert.Contains("line 4: the line is neither a [section] header nor a name = value setting", run.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// With AWS_CA_BUNDLE set (as behind a TLS-inspecting proxy) the bundle check does not read the profile, so the first
    /// read of the file is the default source region's: its refusal was printed with the exception's type name,
    /// "error: SettingException: the shared config file ...". Blank is the system's authorities (README, Environment).
    /// </summary>
    [Theory]
    [InlineData("verify", "--destination-region", CliHarness.West, "--repository", "app")]
    [InlineData("verify", "--destination-region", CliHarness.West, "--repository", "app", "--source-region", CliHarness.Source)]
    public async Task A_config_file_the_AWS_CLI_cannot_parse_is_one_plain_line_with_AWS_CA_BUNDLE_set(params string[] args)
    {
        await using var h = await CliHarness.StartAsync();
        var environment = Environment("[default]\nregion = us-east-1\n\n[profile other]\ngarbage\n", ("AWS_ENDPOINT_URL_ECR", h.Server.BaseAddress.ToString()), ("AWS_CA_BUNDLE", string.Empty));

        var run = await h.RunWithAsync(environment, null, args);

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError("line 5: the line is neither a [section] header nor a name = value setting");
        Assert.StartsWith($"error: the shared config file {Path.Combine(_work, "config")} cannot be parsed", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_use_fips_endpoint_continued_on_a_deeper_line_is_refused_rather_than_guessed()
    {
        // botocore reads 'true\nx' as false (utils.ensure_boolean compares the whole value with "true"), so the AWS CLI
        // goes to the non-FIPS endpoint; an operator who wrote true meant FIPS, so it is refused here rather than guessed.
        var environment = Environment("[default]\nuse_fips_endpoint = true\n  x\n");

        var refused = Assert.Throws<ArgumentException>(() => EcrEndpoints.UseFips(environment));

        Assert.Contains("use_fips_endpoint in the shared config file must be true or false", refused.Message, StringComparison.Ordinal);
    }
}
