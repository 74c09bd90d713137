using System.Text.Json;
using Replicator.Function.Runtime;
using Replicator.Function.Tests.Support;

namespace Replicator.Function.Tests;

/// <summary>
/// The line that says why init failed is written as Lambda's log-level filtering needs it: with JSON logs, a JSON line at
/// FATAL. Lambda gives a line without a level, plain text included, the level INFO and drops it at an application log
/// level above INFO (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html), and this
/// line is the only place the broken variable is named in the log group.
/// </summary>
public sealed class InitFailureLogTests : FunctionHostInitTests
{
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    [Theory]
    [InlineData("ERROR")]
    [InlineData("FATAL")]
    [InlineData("INFO")]
    public async Task A_configuration_error_is_a_json_FATAL_line_that_every_application_log_level_keeps(string applicationLogLevel)
    {
        var line = await InitFailureOutputAsync(("AWS_LAMBDA_LOG_LEVEL", applicationLogLevel), ("DESTINATION_REGIONS", null));

        using var json = JsonDocument.Parse(line);
        Assert.Equal("FATAL", json.RootElement.GetProperty("level").GetString());
        Assert.StartsWith("Configuration invalid: DESTINATION_REGIONS", json.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(json.RootElement.TryGetProperty("timestamp", out _));
    }

    [Fact]
    public async Task A_configuration_error_naming_a_secret_is_redacted_in_the_json_line()
    {
        var line = await InitFailureOutputAsync(("AWS_LAMBDA_LOG_LEVEL", "ERROR"), ("DESTINATION_REGIONS", $"us-west-2 secret={SecretKey}"));

        using var json = JsonDocument.Parse(line);
        Assert.Equal("FATAL", json.RootElement.GetProperty("level").GetString());
        Assert.DoesNotContain(SecretKey, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_text_logs_the_line_is_a_text_line_at_FATAL()
    {
        var line = await InitFailureOutputAsync(("AWS_LAMBDA_LOG_FORMAT", "Text"), ("DESTINATION_REGIONS", null));

        Assert.Contains(" FATAL Configuration invalid: DESTINATION_REGIONS", line, StringComparison.Ordinal);
    }

    private async Task<string> InitFailureOutputAsync(params (string Name, string? Value)[] extra)
    {
        var environment = new Dictionary<string, string?>
        {
            ["AWS_REGION"] = "us-east-1",
            ["DESTINATION_REGIONS"] = "us-west-2",
        };
        foreach (var (name, value) in extra)
        {
            environment[name] = value;
        }

        var exitCode = await RunHostAsync(environment).WaitAsync(Wait);

        Assert.Equal(1, exitCode);
        var init = await Api.InitError.WaitAsync(Wait);
        Assert.Equal(RuntimeErrorTypes.ConfigInvalid, init.ErrorType);
        return Assert.Single(Output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
