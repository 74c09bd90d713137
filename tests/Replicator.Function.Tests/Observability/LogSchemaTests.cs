using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using Replicator.Core.Replication;
using Replicator.Function.Observability;
using Replicator.Function.Tests.Support;

namespace Replicator.Function.Tests.Observability;

/// <summary>The log schema is a contract with operators' Logs Insights queries: the set is pinned, and docs/deploy.md may use only it.</summary>
public class LogSchemaTests
{
    // Logs Insights commands, functions and operators the documented queries use; anything else must be a logged field or an alias.
    private static readonly HashSet<string> QueryWords = new(StringComparer.Ordinal)
    {
        "fields", "filter", "sort", "desc", "asc", "limit", "stats", "by", "as", "and", "or", "not", "like", "in",
        "sum", "count", "avg", "min", "max", "pct", "bin", "ispresent", "display", "dedup",
    };

    [Fact]
    public void The_outcome_values_are_pinned()
    {
        Assert.Equal(
            ["Acknowledged", "Archived", "DeadLettered", "Deleted", "Drift", "Failed", "Filtered", "GroupStopped", "Invalid", "NotStarted", "Reconciled", "RedeliveryNotScheduled", "RedeliveryScheduled", "Replicated", "Skipped", "UpToDate"],
            LogOutcomes.All.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_destination_outcome_has_its_log_value()
    {
        foreach (var outcome in Enum.GetValues<ReplicationOutcome>())
        {
            Assert.Contains(LogOutcomes.Of(outcome), LogOutcomes.All);
            Assert.Equal(outcome.ToString(), LogOutcomes.Of(outcome));
        }
    }

    [Fact]
    public void Every_logs_insights_query_in_the_deploy_guide_uses_only_logged_fields_and_outcomes()
    {
        var logged = LoggedFieldNames();
        var queries = Queries(File.ReadAllText(Path.Combine(PublishedBootstrap.RepositoryRoot, "docs", "deploy.md")));
        Assert.NotEmpty(queries);

        foreach (var query in queries)
        {
            var aliases = Regex.Matches(query, @"\bas\s+([A-Za-z_]\w*)").Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
            foreach (Match literal in Regex.Matches(query, @"\boutcome\s*(?:=|like|!=)\s*(?:""(?<text>[^""]*)""|/(?<regex>[^/]*)/)"))
            {
                if (literal.Groups["text"].Success)
                {
                    Assert.Contains(literal.Groups["text"].Value, LogOutcomes.All);
                }
                else
                {
                    var pattern = new Regex(literal.Groups["regex"].Value, RegexOptions.None, TimeSpan.FromSeconds(1));
                    Assert.True(LogOutcomes.All.Any(pattern.IsMatch), $"/{pattern}/ matches no outcome in: {query}");
                }
            }

            var bare = Regex.Replace(query, @"""[^""]*""|/[^/\n]*/|\b\d+\b", " ");
            foreach (Match word in Regex.Matches(bare, @"@?[A-Za-z_]\w*"))
            {
                var name = word.Value;
                Assert.True(
                    name.StartsWith('@') || QueryWords.Contains(name) || aliases.Contains(name) || logged.Contains(name),
                    $"'{name}' is neither a logged field nor a Logs Insights word, in: {query}");
            }
        }
    }

    /// <summary>The keys of a real JSON log line with every field set.</summary>
    private static HashSet<string> LoggedFieldNames()
    {
        using var output = new StringWriter();
        new FunctionLogger(new OutputSink(output), LogLevel.Debug, LogFormat.Json, new FakeTimeProvider()).Info("m", new LogFields
        {
            RequestId = "r", MessageId = "m", Repository = "repo", Tag = "v1", Digest = "sha256:ab", DestinationRegion = "us-west-2",
            Outcome = LogOutcomes.Replicated, LayersCopied = 1, LayersSkipped = 1, Bytes = 1, DurationMs = 1, ErrorType = "E",
        });
        return JsonDocument.Parse(output.ToString()).RootElement.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The fenced blocks that are Logs Insights queries (they start with a <c>fields</c> command).</summary>
    private static List<string> Queries(string markdown) =>
        Regex.Matches(markdown, @"```[^\n]*\n(?<body>.*?)```", RegexOptions.Singleline)
            .Select(m => m.Groups["body"].Value)
            .Where(body => body.TrimStart().StartsWith("fields ", StringComparison.Ordinal))
            .ToList();
}
