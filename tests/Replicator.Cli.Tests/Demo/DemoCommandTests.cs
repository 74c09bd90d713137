using System.Text.RegularExpressions;
using Replicator.Cli.Commands;
using Replicator.Cli.Composition;
using Replicator.Cli.Demo;
using Replicator.Core.Configuration;
using Replicator.Testing;

namespace Replicator.Cli.Tests.Demo;

public sealed partial class DemoCommandTests
{
    [GeneratedRegex(@"index\s+│ (sha256:\w{12})")]
    private static partial Regex IndexRow();

    private static async Task<(int Code, string Output, string Error)> RunAsync(Func<CliContext, Task<int>> run)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new CliContext { Environment = new DictionaryEnvironmentVariables(), Out = output, Error = error };
        var code = await run(context);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task The_demo_runs_the_function_and_proves_every_destination_holds_the_same_digests()
    {
        var (code, output, error) = await RunAsync(c => CliApp.RunAsync(["demo"], c, CancellationToken.None));

        Assert.True(code == 0, output + error);
        Assert.Empty(error);
        Assert.DoesNotContain("\u001b[", output, StringComparison.Ordinal);
        Assert.Contains("Built 4 \"ECR Image Action\" PUSH events (3 by digest, 1 tagged)", output, StringComparison.Ordinal);
        Assert.Contains("Batch done: 4 record(s)", output, StringComparison.Ordinal);
        Assert.Contains("batch response {\"batchItemFailures\":[]}", output, StringComparison.Ordinal);
        Assert.Equal(4, output.Split('\n').Count(l => l.Contains("│   ✓   │", StringComparison.Ordinal)));
        Assert.DoesNotContain("✗", output, StringComparison.Ordinal);
        Assert.Contains("all 4 manifests identical in us-west-2 and eu-west-1", output, StringComparison.Ordinal);

        // The function's JSON lines are summarised, never dumped.
        Assert.DoesNotContain("\"timestamp\"", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\"_aws\"", output, StringComparison.Ordinal);
    }

    /// <summary>
    /// The demo signs with LocalEcr's keys against its own endpoints, so it runs under any profile (the CLI README's
    /// promise): a --profile naming one this machine does not have, or such an AWS_PROFILE, is not resolved for it.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_demo_runs_under_a_profile_that_does_not_exist(bool flag)
    {
        const string missing = "replicator-demo-no-such-profile-3c9e";
        string[] args = flag ? ["demo", "--profile", missing] : ["demo"];
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = flag ? new DictionaryEnvironmentVariables() : DictionaryEnvironmentVariables.Of(new Dictionary<string, string> { ["AWS_PROFILE"] = missing });
        var context = new CliContext { Environment = environment, Out = output, Error = error };

        var code = await CliApp.RunAsync(args, context, CancellationToken.None);

        Assert.True(code == 0, output.ToString() + error);
        Assert.Empty(error.ToString());
        Assert.Contains("Proof holds", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_demo_is_deterministic()
    {
        var first = await RunAsync(c => CliApp.RunAsync(["demo"], c, CancellationToken.None));
        var second = await RunAsync(c => CliApp.RunAsync(["demo"], c, CancellationToken.None));

        Assert.Equal(IndexRow().Match(first.Output).Groups[1].Value, IndexRow().Match(second.Output).Groups[1].Value);
        Assert.NotEmpty(IndexRow().Match(first.Output).Groups[1].Value);
    }

    [Fact]
    public async Task Without_replication_the_proof_fails_and_the_exit_code_is_one()
    {
        var (code, output, _) = await RunAsync(c => new DemoScenario(c, new IdleFunction()).RunAsync(CancellationToken.None));

        Assert.Equal(1, code);
        Assert.Equal(4, output.Split('\n').Count(l => l.Contains('✗', StringComparison.Ordinal)));
        Assert.Contains("4 of 4 manifests differ or are missing", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reported_batch_failures_fail_the_demo()
    {
        var (code, _, error) = await RunAsync(c => new DemoScenario(c, new IdleFunction("""{"batchItemFailures":[{"itemIdentifier":"x"}]}""")).RunAsync(CancellationToken.None));

        Assert.Equal(1, code);
        Assert.Contains("the function reported 1 failed record(s)", error, StringComparison.Ordinal);
    }

    /// <summary>
    /// Ctrl+C while the function runs: the runtime loop stops without an answer, as it should. The demo reported that
    /// as "InvalidOperationException: the function did not answer: no response" (exit 2), a failure of the function it
    /// did not have; it is a cancellation, which the CLI reports as "cancelled" with a stop's exit code.
    /// </summary>
    [Fact]
    public async Task A_stop_while_the_function_runs_is_a_cancellation_not_a_function_that_did_not_answer()
    {
        var environment = new Replicator.Samples.InMemoryEnvironmentVariables(new Dictionary<string, string>
        {
            ["AWS_REGION"] = DemoScenario.SourceRegion,
            ["DESTINATION_REGIONS"] = "us-west-2",
            ["AWS_ENDPOINT_URL_ECR"] = "http://127.0.0.1:9/",
        });
        var credentials = new Replicator.Core.Signing.StaticCredentialsSource(new Replicator.Core.Signing.AwsCredentials(LocalEcrKeys.AccessKey, LocalEcrKeys.SecretKey));
        using var http = new HttpClient();
        var clients = new Replicator.Core.Ecr.EcrClientFactory(http, credentials, environment, TimeProvider.System);
        using var stopped = new CancellationTokenSource();
        await stopped.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new FunctionDemo(credentials).InvokeAsync("{\"Records\":[]}", new DemoWiring(environment, clients, http, TimeProvider.System), stopped.Token));
    }

    /// <summary>A function that answers without copying anything.</summary>
    private sealed class IdleFunction(string response = """{"batchItemFailures":[]}""") : IDemoFunction
    {
        public Task<DemoInvocation> InvokeAsync(string sqsEventJson, DemoWiring wiring, CancellationToken cancellationToken) =>
            Task.FromResult(new DemoInvocation(response, []));
    }
}
