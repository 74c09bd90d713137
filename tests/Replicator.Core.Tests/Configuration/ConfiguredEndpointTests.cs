using Replicator.Core.Configuration;
using Replicator.Core.Destinations;
using Replicator.Core.Ecr;
using Replicator.Testing;

namespace Replicator.Core.Tests.Configuration;

/// <summary>
/// The endpoint order of the SDKs' service-specific endpoints feature. Each expectation was checked against botocore
/// with the same files (`AWS_CONFIG_FILE=... python3 -c "...create_client('ecr', ...).meta.endpoint_url"`): the
/// service's variable, the global variable, the services section, the profile's endpoint_url; ignore turns all off.
/// </summary>
public sealed class ConfiguredEndpointTests : IDisposable
{
    private const string Config = """
        [default]
        endpoint_url = http://profile.example:1
        services = local

        [services local]
        ecr =
          endpoint_url = http://ecr-section.example:2
        # a key of another service, and one outside any nesting, must not be taken for ECR's
        sqs =
          endpoint_url = http://sqs-section.example:3
        endpoint_url = http://not-nested.example:4

        [profile ignoring]
        endpoint_url = http://profile.example:1
        ignore_configured_endpoint_urls = true

        [profile bad]
        endpoint_url = ftp://bad.example

        [profile blank]
        endpoint_url =
        """;

    private readonly string _work = Directory.CreateTempSubdirectory("replicator-endpoints-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private DictionaryEnvironmentVariables Environment(params (string Name, string Value)[] values)
    {
        var path = Path.Combine(_work, "config");
        File.WriteAllText(path, Config);
        var all = values.ToDictionary(v => v.Name, v => v.Value);
        all["AWS_CONFIG_FILE"] = path;
        all["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(_work, "no-credentials");
        return DictionaryEnvironmentVariables.Of(all);
    }

    [Fact]
    public void The_services_section_names_the_service_endpoint_and_other_services_fall_back_to_the_profiles()
    {
        var environment = Environment();

        Assert.Equal(("endpoint_url of ecr in [services local] of the shared config file", "http://ecr-section.example:2"), ConfiguredEndpoint.Find(environment, EcrEndpoints.ServiceEndpointVariable));
        Assert.Equal("http://sqs-section.example:3", ConfiguredEndpoint.Find(environment, "AWS_ENDPOINT_URL_SQS")?.Value);
        Assert.Equal(("endpoint_url of the profile in the shared config file", "http://profile.example:1"), ConfiguredEndpoint.Find(environment, ServiceEndpoints.StsVariable));
        Assert.Equal(new Uri("http://ecr-section.example:2"), EcrEndpoints.Resolve("us-east-1", environment));
        Assert.True(EcrEndpoints.IsOverridden(environment));
    }

    /// <summary>
    /// An empty value is no endpoint, as botocore takes it (ConfiguredEndpointProvider.provide returns the first value
    /// that is truthy): an empty variable gives way to the next source, and a profile whose endpoint_url is empty leaves
    /// the public endpoint, rather than an endpoint of "" that the URL check would refuse.
    /// </summary>
    [Fact]
    public void An_empty_endpoint_is_no_endpoint_and_the_next_source_is_used_as_in_botocore()
    {
        Assert.Equal(
            ("endpoint_url of ecr in [services local] of the shared config file", "http://ecr-section.example:2"),
            ConfiguredEndpoint.Find(Environment(("AWS_ENDPOINT_URL_ECR", ""), ("AWS_ENDPOINT_URL", "")), EcrEndpoints.ServiceEndpointVariable));

        var blank = Environment(("AWS_PROFILE", "blank"));
        Assert.Null(ConfiguredEndpoint.Find(blank, EcrEndpoints.ServiceEndpointVariable));
        Assert.False(EcrEndpoints.IsOverridden(blank));
    }

    [Fact]
    public void Variables_come_before_the_config_file_the_services_own_first()
    {
        Assert.Equal(("AWS_ENDPOINT_URL", "http://env.example:5"), ConfiguredEndpoint.Find(Environment(("AWS_ENDPOINT_URL", "http://env.example:5")), EcrEndpoints.ServiceEndpointVariable));
        Assert.Equal(
            ("AWS_ENDPOINT_URL_ECR", "http://env-ecr.example:6"),
            ConfiguredEndpoint.Find(Environment(("AWS_ENDPOINT_URL", "http://env.example:5"), ("AWS_ENDPOINT_URL_ECR", "http://env-ecr.example:6")), EcrEndpoints.ServiceEndpointVariable));
    }

    [Theory]
    [InlineData("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", null)]
    [InlineData("AWS_PROFILE", "ignoring", null)]
    [InlineData("AWS_PROFILE", "ignoring", "http://env-ecr.example:6")]
    public void Ignoring_configured_endpoints_in_the_environment_or_the_profile_turns_off_every_source(string name, string value, string? ecrVariable)
    {
        var values = new List<(string, string)> { (name, value) };
        if (ecrVariable is not null)
        {
            values.Add(("AWS_ENDPOINT_URL_ECR", ecrVariable));
        }

        var environment = Environment([.. values]);

        Assert.Null(ConfiguredEndpoint.Find(environment, EcrEndpoints.ServiceEndpointVariable));
        Assert.False(EcrEndpoints.IsOverridden(environment));
        Assert.Equal(new Uri("https://api.ecr.us-east-1.amazonaws.com"), EcrEndpoints.Resolve("us-east-1", environment));
    }

    [Fact]
    public void A_bad_endpoint_in_the_config_file_names_the_setting_and_not_the_value()
    {
        var environment = Environment(("AWS_PROFILE", "bad"));

        var refused = Assert.Throws<SettingException>(() => ServiceEndpoints.Override(environment, ServiceEndpoints.SsmVariable));

        Assert.Contains("endpoint_url of the profile in the shared config file", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("bad.example", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A <c>services</c> key with no value names the section "", which no file has: botocore reads the key as present
    /// (<c>'services' in scoped_config</c>) and stops (configprovider.py, <c>_get_services_config</c>: "the "" services
    /// configuration does not exist"), so the AWS CLI makes no call. Read as absent, the command went to the public
    /// endpoint.
    /// </summary>
    [Theory]
    [InlineData("services =")]
    [InlineData("services =   ")]
    [InlineData("services:")]
    public void A_services_key_without_a_value_stops_as_in_botocore(string line)
    {
        var path = Path.Combine(_work, "empty-services");
        File.WriteAllText(path, $"[default]\n{line}\nendpoint_url = http://profile.example:1\n\n[services local]\necr =\n  endpoint_url = http://ecr-section.example:2\n");
        var environment = DictionaryEnvironmentVariables.Of(new Dictionary<string, string>
        {
            ["AWS_CONFIG_FILE"] = path,
            ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(_work, "no-credentials"),
        });

        var refused = Assert.Throws<SettingException>(() => ConfiguredEndpoint.Find(environment, EcrEndpoints.ServiceEndpointVariable));

        Assert.Equal("services of the profile in the shared config file", refused.Setting);
        Assert.Contains("the \"\" services configuration does not exist", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_service_key_with_a_value_of_its_own_opens_no_nested_settings()
    {
        // botocore 1.43: full_config['services'] == {'s': {'ecr': 'something\nendpoint_url = http://x.example'},
        // 't': {'ecr': {'endpoint_url': 'http://y.example'}}}.
        var config = SharedConfigDocument.Parse(["[services s]", "ecr = something", "  endpoint_url = http://x.example", "[services t]", "ecr =", "  endpoint_url = http://y.example"], "test");

        Assert.Null(SharedConfigFile.FindNested(config, "services s", "ecr", "endpoint_url"));
        Assert.Equal("http://y.example", SharedConfigFile.FindNested(config, "services t", "ecr", "endpoint_url"));
    }

    /// <summary>
    /// botocore stops when the <c>[services NAME]</c> section the profile names is missing or has no setting
    /// (configprovider.py, <c>_get_services_config</c>): the default profile's own <c>[default]</c> section is no services
    /// section, and an empty one reads as missing (botocore 1.43, each file: InvalidConfigError "The profile is
    /// configured to use the services section but the "NAME" services configuration does not exist."). Read as
    /// present, the command went to the profile's endpoint_url where the AWS CLI makes no call.
    /// </summary>
    [Theory]
    [InlineData("[default]\nservices = default\nendpoint_url = http://profile.example:1\n", "default")]
    [InlineData("[default]\nservices = local\nendpoint_url = http://profile.example:1\n\n[services local]\n", "local")]
    public void A_services_section_that_is_not_there_or_is_empty_stops_as_in_botocore(string config, string services)
    {
        var path = Path.Combine(_work, "missing-services");
        File.WriteAllText(path, config);
        var environment = DictionaryEnvironmentVariables.Of(new Dictionary<string, string>
        {
            ["AWS_CONFIG_FILE"] = path,
            ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(_work, "no-credentials"),
        });

        var refused = Assert.Throws<SettingException>(() => ConfiguredEndpoint.Find(environment, EcrEndpoints.ServiceEndpointVariable));

        Assert.Equal("services of the profile in the shared config file", refused.Setting);
        Assert.Contains($"the \"{services}\" services configuration does not exist", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A <c>[services NAME]</c> section with no setting of its own still has those of <c>[DEFAULT]</c>, which configparser
    /// lends to every section, so botocore does not read it as missing (botocore 1.43 for this file: the profile's
    /// endpoint_url); refused, a command the AWS CLI runs would stop here.
    /// </summary>
    [Fact]
    public void A_services_section_with_only_the_DEFAULT_sections_settings_is_there_as_in_botocore()
    {
        var path = Path.Combine(_work, "default-services");
        File.WriteAllText(path, "[DEFAULT]\noutput = json\n\n[default]\nservices = local\nendpoint_url = http://profile.example:1\n\n[services local]\n");
        var environment = DictionaryEnvironmentVariables.Of(new Dictionary<string, string>
        {
            ["AWS_CONFIG_FILE"] = path,
            ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(_work, "no-credentials"),
        });

        Assert.Equal(("endpoint_url of the profile in the shared config file", "http://profile.example:1"), ConfiguredEndpoint.Find(environment, EcrEndpoints.ServiceEndpointVariable));
    }
}
