using Replicator.Cli.Tests.Support;
using Replicator.Core.Configuration;
using Replicator.Core.Ecr;
using Replicator.Testing;

namespace Replicator.Cli.Tests.Commands;

/// <summary>
/// A profile whose <c>services</c> key names a <c>[services NAME]</c> section the config file does not have (a typo, or
/// an empty section) is refused by the AWS CLI before any call: botocore's ConfiguredEndpointProvider raises
/// InvalidConfigError "The profile is configured to use the services section but the "NAME" services configuration does
/// not exist." (botocore/configprovider.py, _get_services_config), reached only when no AWS_ENDPOINT_URL_* variable
/// names the endpoint and configured endpoints are not ignored. Read as absent, the command went to the public AWS
/// endpoint instead of the one the operator configured.
/// </summary>
public sealed class ServicesSectionTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("replicator-services-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private string Config(string services, string section)
    {
        var path = Path.Combine(_work, "config");
        File.WriteAllText(path, $"[profile local]\nregion = {CliHarness.Source}\nservices = {services}\n\n{section}");
        return path;
    }

    [Theory]
    [InlineData("locl")]
    [InlineData("empty")]
    [InlineData("")]
    public async Task A_services_key_naming_no_services_section_stops_the_command_as_the_AWS_CLI_does(string services)
    {
        await using var h = await CliHarness.StartAsync();
        var config = Config(services, $"[services local]\necr =\n  endpoint_url = {h.Server.BaseAddress}\n\n[services empty]\n");
        var environment = DictionaryEnvironmentVariables.Of(new Dictionary<string, string>
        {
            ["AWS_CONFIG_FILE"] = config,
            ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(_work, "no-credentials"),
            ["AWS_PROFILE"] = "local",
        });

        var run = await h.RunWithAsync(environment, null, "verify", "--destination-region", CliHarness.West, "--repository", "app");

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError($"the \"{services}\" services configuration does not exist");
    }

    [Fact]
    public void An_endpoint_variable_or_ignoring_configured_endpoints_leaves_the_services_section_unread_as_in_botocore()
    {
        var config = Config("locl", string.Empty);
        var files = new Dictionary<string, string>
        {
            ["AWS_CONFIG_FILE"] = config,
            ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(_work, "no-credentials"),
            ["AWS_PROFILE"] = "local",
        };

        var withVariable = new Dictionary<string, string>(files) { ["AWS_ENDPOINT_URL_ECR"] = "http://127.0.0.1:4566" };
        Assert.Equal("http://127.0.0.1:4566", ConfiguredEndpoint.Find(DictionaryEnvironmentVariables.Of(withVariable), EcrEndpoints.ServiceEndpointVariable)?.Value);

        var ignored = new Dictionary<string, string>(files) { ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true" };
        Assert.Null(ConfiguredEndpoint.Find(DictionaryEnvironmentVariables.Of(ignored), EcrEndpoints.ServiceEndpointVariable));
    }
}
