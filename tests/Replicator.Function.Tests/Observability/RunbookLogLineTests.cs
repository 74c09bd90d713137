using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using Replicator.Core.Resilience;
using Replicator.Function.Runtime;
using Replicator.Function.Observability;
using Replicator.Function.Tests.Support;
using Replicator.Testing;
using E = Replicator.Function.Tests.Support.Events;

namespace Replicator.Function.Tests.Observability;

/// <summary>
/// docs/deploy.md sends the operator from an alarm or a query to log lines by their text or their fields. LogSchemaTests
/// checks that the queries use only logged field names and outcomes; these check that what a query or a runbook row
/// matches on is what the function writes: the message patterns of the retry query, and the fields of the lines behind
/// the stall alarms.
/// </summary>
public sealed class RunbookLogLineTests
{
    private static string Deploy() => File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "deploy.md"));

    /// <summary>The fenced block that follows <paramref name="heading"/> in docs/deploy.md.</summary>
    private static string QueryAfter(string heading)
    {
        var deploy = Deploy();
        var start = deploy.IndexOf(heading, StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/deploy.md has no \"{heading}\"");
        var match = Regex.Match(deploy[start..], @"```[^\n]*\n(?<body>.*?)```", RegexOptions.Singleline);
        Assert.True(match.Success, $"no query after \"{heading}\"");
        return match.Groups["body"].Value;
    }

    /// <summary>The runbook's row for <paramref name="alarm"/> ("Alarms: what to do first").</summary>
    private static string RunbookRow(string alarm)
    {
        var deploy = Deploy();
        var section = deploy[deploy.IndexOf("### Alarms: what to do first", StringComparison.Ordinal)..];
        var row = section.Split('\n').SingleOrDefault(l => l.StartsWith($"| `{alarm}` |", StringComparison.Ordinal));
        Assert.True(row is not null, $"the runbook has no row for {alarm}");
        return row;
    }

    private static string RetryLine(EcrRetry retry)
    {
        using var output = new StringWriter();
        new EngineLogObserver(new FunctionLogger(new OutputSink(output), LogLevel.Debug, LogFormat.Json, new FakeTimeProvider())).Retrying(retry);
        using var json = JsonDocument.Parse(output.ToString());
        return json.RootElement.GetProperty("message").GetString()!;
    }

    /// <summary>
    /// The "Retries by code and where they went" query keeps the lines its <c>filter message like /RE/</c> matches and
    /// takes <c>operation</c> and <c>target</c> from its <c>parse message /RE/</c>: both must match the engine's retry
    /// line, for a destination of the function's account (a region) and of another account (ACCOUNT:REGION), or the
    /// query counts nothing. .NET's regular expressions stand in for Logs Insights' here: the patterns use only
    /// anchors, \w, \S, + and named groups, which both read alike.
    /// </summary>
    [Theory]
    [InlineData("PutImage", "us-west-2")]
    [InlineData("CompleteLayerUpload", "222222222222:eu-west-1")]
    public void The_retry_query_matches_and_parses_the_engines_retry_line(string operation, string target)
    {
        var query = QueryAfter("Retries by code and where they went");
        var filter = Regex.Match(query, @"\|\s*filter message like /(?<re>[^/\n]+)/");
        var parse = Regex.Match(query, @"\|\s*parse message /(?<re>[^/\n]+)/");
        Assert.True(filter.Success, $"no message filter in: {query}");
        Assert.True(parse.Success, $"no parse of message in: {query}");
        var line = RetryLine(new EcrRetry(operation, target, 1, "ThrottlingException", TimeSpan.FromSeconds(1.1)));

        Assert.Matches(filter.Groups["re"].Value, line);
        var parsed = Regex.Match(line, parse.Groups["re"].Value);
        Assert.True(parsed.Success, $"the parse pattern does not match: {line}");
        Assert.Equal(operation, parsed.Groups["operation"].Value);
        Assert.Equal(target, parsed.Groups["target"].Value);
        Assert.Contains("by target, operation, errorType", query, StringComparison.Ordinal);
    }

    /// <summary>
    /// A record that fails as a whole (the invocation's deadline, TAG_FILTER's match timeout, an exception of the
    /// engine) writes a Failed metrics line, with FailedEventAgeMs, for each of its destinations, and so sets off
    /// StallAlarm&lt;region&gt; for each; but its one log line has no destinationRegion. A runbook that sent the
    /// operator only to the Failed lines "for that destinationRegion" found nothing behind such an alarm: the rows
    /// name the lines without one, and the filter for them.
    /// </summary>
    [Fact]
    public async Task A_record_that_fails_as_a_whole_sets_off_every_regions_stall_alarm_from_a_line_the_runbook_finds()
    {
        var harness = new Harness();
        harness.Replicator.OnReplicate = (_, _) => throw new InvalidOperationException("boom");

        await harness.Handler.HandleAsync(E.Record("m1", E.Body()), "req", CancellationToken.None);

        Assert.Equal(["us-west-2", "eu-west-1"], harness.MetricLines.Where(m => m.TryGetProperty(MetricsWriter.FailedEventAgeMetric, out _)).Select(m => m.GetProperty("DestinationRegion").GetString()));
        var failed = Assert.Single(harness.LogLines, l => l.TryGetProperty("outcome", out var o) && o.GetString() == LogOutcomes.Failed);
        Assert.False(failed.TryGetProperty("destinationRegion", out _));

        var row = RunbookRow("StallAlarm<region>");
        Assert.Contains("without a `destinationRegion`", row, StringComparison.Ordinal);
        Assert.Contains("not ispresent(destinationRegion)", row, StringComparison.Ordinal);
        foreach (var errorType in new[] { "DeadlineExceeded", "TagFilterTimeout" })
        {
            Assert.Contains($"`{errorType}`", row, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// FunctionErrorsAlarm counts invocations that failed as a whole; past init, each is one ERROR line that starts
    /// "Invocation failed:" (FunctionHandler), which the runbook row must name for the operator to find it.
    /// </summary>
    [Fact]
    public async Task The_function_errors_runbook_names_the_line_of_a_failed_invocation()
    {
        var harness = new Harness();
        var handler = new FunctionHandler(harness.Processor, harness.Logger);
        var payload = "{\"Records\":\"not a list\"}"u8.ToArray();

        await Assert.ThrowsAsync<InvalidDataException>(() => handler.HandleAsync(new InvocationRequest(payload, harness.Context()), CancellationToken.None));

        var line = Assert.Single(harness.LogLines);
        Assert.Equal("ERROR", line.GetProperty("level").GetString());
        Assert.StartsWith("Invocation failed: InvalidDataException: The invocation payload is not an SQS event", line.GetProperty("message").GetString(), StringComparison.Ordinal);
        var row = RunbookRow("FunctionErrorsAlarm");

        Assert.Contains("`Invocation failed:`", row, StringComparison.Ordinal);
        Assert.Contains("the reconcile cursor could not be saved", row, StringComparison.Ordinal);
        Assert.Contains("`Configuration invalid:`", row, StringComparison.Ordinal);
        Assert.Contains("`Initialization failed:`", row, StringComparison.Ordinal);
    }
}
