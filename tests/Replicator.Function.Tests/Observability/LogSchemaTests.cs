using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using Replicator.Core.Replication;
using Replicator.Function.Observability;
using Replicator.Function.Tests.Support;
using Replicator.Testing;

namespace Replicator.Function.Tests.Observability;

/// <summary>The log schema is a contract with operators' Logs Insights queries: the set is pinned, and the queries in the docs may use only it.</summary>
public class LogSchemaTests
{
    // Logs Insights commands, functions and operators the documented queries use; anything else must be a logged field or an alias.
    private static readonly HashSet<string> QueryWords = new(StringComparer.Ordinal)
    {
        "fields", "filter", "sort", "desc", "asc", "limit", "stats", "by", "as", "and", "or", "not", "like", "in",
        "sum", "count", "avg", "min", "max", "pct", "bin", "ispresent", "display", "dedup", "strcontains", "parse",
    };

    [Fact]
    public void The_outcome_values_are_pinned()
    {
        Assert.Equal(
            ["Acknowledged", "Archived", "DeadLettered", "Deleted", "Drift", "DriftConflict", "Failed", "Filtered", "GroupStopped", "Invalid", "NotStarted", "Reconciled", "RedeliveryNotScheduled", "RedeliveryScheduled", "Replicated", "Skipped", "UpToDate"],
            LogOutcomes.All.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_outcome_table_in_deploy_md_lists_exactly_the_logged_outcomes()
    {
        // Operators read the table to write their own queries: a value missing from it, or one the function no longer
        // logs, would send them filtering on nothing.
        var deploy = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "deploy.md"));
        var header = deploy.IndexOf("| `outcome` | level | written when |", StringComparison.Ordinal);
        Assert.True(header >= 0, "docs/deploy.md has no outcome table");
        var rows = deploy[header..].Split('\n').Skip(2).TakeWhile(line => line.StartsWith('|')).ToList();

        var documented = rows.Select(row => Regex.Match(row, @"^\| `(\w+)` \|").Groups[1].Value).ToList();

        Assert.NotEmpty(documented);
        Assert.DoesNotContain("", documented);
        Assert.Equal(LogOutcomes.All.Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
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
    public void Every_logs_insights_query_in_the_docs_uses_only_logged_fields_and_outcomes()
    {
        var logged = LoggedFieldNames();
        var root = RepositoryRoot.Path;
        var documents = MarkdownFiles(root).Select(path => Path.GetRelativePath(root, path)).ToList();
        Assert.Contains("README.md", documents);
        Assert.Contains(Path.Combine("docs", "deploy.md"), documents);
        Assert.Contains(Path.Combine("src", "Replicator.Function", "README.md"), documents);
        var queries = documents.SelectMany(document => Queries(File.ReadAllText(Path.Combine(root, document))).Select(query => (document, query))).ToList();
        Assert.NotEmpty(queries);

        foreach (var (document, query) in queries)
        {
            Assert.True(UnknownOutcomes(query) is [], $"{document}: outcome(s) {string.Join(", ", UnknownOutcomes(query))} not in LogOutcomes, in: {query}");

            // Names a query makes: "EXPR as NAME", and a parse command's named captures, "(?<NAME>...)".
            var aliases = Regex.Matches(query, @"\bas\s+([A-Za-z_]\w*)|\(\?<([A-Za-z_]\w*)>")
                .Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value)
                .ToHashSet(StringComparer.Ordinal);
            var bare = Regex.Replace(query, @"""[^""]*""|/[^/\n]*/|\b\d+\b", " ");
            foreach (Match word in Regex.Matches(bare, @"@?[A-Za-z_]\w*"))
            {
                var name = word.Value;
                Assert.True(
                    name.StartsWith('@') || QueryWords.Contains(name) || aliases.Contains(name) || logged.Contains(name),
                    $"{document}: '{name}' is neither a logged field nor a Logs Insights word, in: {query}");
            }
        }
    }

    /// <summary>
    /// Every destination line carries <c>bytes</c> (UpToDate, Skipped, Archived, Deleted and each Failed try too), so
    /// the "Bytes and images per destination region" query must count as images only the Replicated lines, while its
    /// byte sum keeps every line. <c>strcontains</c> returns 1 or 0
    /// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-operations-functions.html), so its sum
    /// over <c>outcome</c> counts the outcomes that contain the text: exactly Replicated.
    /// </summary>
    [Fact]
    public void The_bytes_and_images_query_counts_as_images_only_the_replicated_outcome()
    {
        var deploy = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "deploy.md"));
        var start = deploy.IndexOf("Bytes and images per destination region", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/deploy.md has no \"Bytes and images per destination region\" query");
        var query = Queries(deploy[start..])[0];

        Assert.Equal(["Replicated"], CountedOutcomes(Aggregate(query, "images")));
        Assert.Equal("sum(bytes) / 1048576", Aggregate(query, "MiB"));
        // The byte sum keeps every line: no filter of the query narrows the outcomes.
        Assert.DoesNotContain(query.Split('\n').Where(l => Regex.IsMatch(l, @"^\s*\|?\s*filter\b")), l => l.Contains("outcome", StringComparison.Ordinal));
        Assert.Contains("by destinationRegion", query, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("count(*)", new[] { "Acknowledged", "Archived", "DeadLettered", "Deleted", "Drift", "DriftConflict", "Failed", "Filtered", "GroupStopped", "Invalid", "NotStarted", "Reconciled", "RedeliveryNotScheduled", "RedeliveryScheduled", "Replicated", "Skipped", "UpToDate" })]
    [InlineData("sum(strcontains(outcome, \"Replicated\"))", new[] { "Replicated" })]
    [InlineData("sum(strcontains(outcome, \"Redelivery\"))", new[] { "RedeliveryNotScheduled", "RedeliveryScheduled" })]
    public void The_image_count_check_tells_a_count_of_every_line_from_a_count_of_one_outcome(string aggregate, string[] counted) =>
        Assert.Equal(counted, CountedOutcomes(aggregate));

    /// <summary>
    /// The expression a stats command names <paramref name="alias"/>: <c>EXPR as alias</c>, after <c>stats</c> or the
    /// comma before it (a comma inside parentheses, up to two deep, is the expression's own).
    /// </summary>
    private static string Aggregate(string query, string alias)
    {
        var match = Regex.Match(query, @"(?:\bstats\s+|,\s*)(?<expr>(?:[^,()\n]|\((?:[^()]|\([^()]*\))*\))+?)\s+as\s+" + Regex.Escape(alias) + @"\b");
        Assert.True(match.Success, $"no aggregate named {alias} in: {query}");
        return match.Groups["expr"].Value.Trim();
    }

    /// <summary>
    /// The outcomes an image count counts: every one for <c>count(*)</c>, those containing the text for
    /// <c>sum(strcontains(outcome, "TEXT"))</c>; any other form fails, so a new form gets its own rule here.
    /// </summary>
    private static List<string> CountedOutcomes(string aggregate)
    {
        if (aggregate == "count(*)")
        {
            return [.. LogOutcomes.All.Order(StringComparer.Ordinal)];
        }

        var match = Regex.Match(aggregate, @"^sum\(strcontains\(outcome,\s*""(?<text>[^""]+)""\)\)$");
        Assert.True(match.Success, $"not a form this check knows: {aggregate}");
        return [.. LogOutcomes.All.Where(o => o.Contains(match.Groups["text"].Value, StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
    }

    [Fact]
    public void The_query_scan_finds_fields_filter_and_stats_blocks_and_every_form_of_outcome_comparison()
    {
        // A control for the test above: an outcome misspelt in any of these forms, in a block starting with any of
        // these commands, is caught.
        const string markdown = """
            ```
            filter outcome in ["Failed", "Faild"] or outcome not in ["GroupStoped"]
            ```
            ```
            stats count(*) by outcome
            | filter outcome = "Drfit" or outcome != "Replicated" or outcome like "Dead" or outcome like /^Archive$/
            ```
            ```sh
            fields outcome
            | filter outcome =~ /Redelivery(Scheduled|Lost)/ or outcome like "Missing"
            ```
            ```sh
            sam deploy --parameter-overrides 'outcome="Bogus"'
            ```
            """;

        var queries = Queries(markdown);

        Assert.Equal(3, queries.Count);
        Assert.Equal(["Faild", "GroupStoped"], UnknownOutcomes(queries[0]));
        Assert.Equal(["Drfit", "/^Archive$/"], UnknownOutcomes(queries[1]));
        Assert.Equal(["\"Missing\""], UnknownOutcomes(queries[2]));
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

    /// <summary>The fenced blocks that are Logs Insights queries (they start with a fields, filter or stats command).</summary>
    private static List<string> Queries(string markdown) =>
        Regex.Matches(markdown, @"```[^\n]*\n(?<body>.*?)```", RegexOptions.Singleline)
            .Select(m => m.Groups["body"].Value)
            .Where(body => Regex.IsMatch(body, @"^\s*(?:fields|filter|stats)\s"))
            .ToList();

    /// <summary>
    /// The outcome values a query names that no logged outcome matches: <c>outcome = "X"</c> and <c>!= "X"</c> exactly,
    /// <c>in ["X", ...]</c> and <c>not in [...]</c> for each element, <c>like "X"</c> as a substring, and
    /// <c>like /re/</c> or <c>=~ /re/</c> as a regular expression
    /// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-operations-functions.html).
    /// </summary>
    private static List<string> UnknownOutcomes(string query)
    {
        var unknown = new List<string>();
        const string comparison = @"\boutcome\s*(?:(?<op>=~|!=|=|(?:not\s+)?like)\s*(?:""(?<text>[^""]*)""|/(?<regex>[^/]*)/)|(?:not\s+)?in\s*\[(?<list>[^\]]*)\])";
        foreach (Match match in Regex.Matches(query, comparison))
        {
            if (match.Groups["list"].Success)
            {
                unknown.AddRange(Regex.Matches(match.Groups["list"].Value, @"""(?<name>[^""]*)""").Select(m => m.Groups["name"].Value).Where(name => !LogOutcomes.All.Contains(name)));
            }
            else if (match.Groups["regex"].Success)
            {
                var pattern = new Regex(match.Groups["regex"].Value, RegexOptions.None, TimeSpan.FromSeconds(1));
                if (!LogOutcomes.All.Any(pattern.IsMatch))
                {
                    unknown.Add($"/{pattern}/");
                }
            }
            else if (match.Groups["op"].Value.EndsWith("like", StringComparison.Ordinal))
            {
                var text = match.Groups["text"].Value;
                if (!LogOutcomes.All.Any(outcome => outcome.Contains(text, StringComparison.Ordinal)))
                {
                    unknown.Add($"\"{text}\"");
                }
            }
            else if (!LogOutcomes.All.Contains(match.Groups["text"].Value))
            {
                unknown.Add(match.Groups["text"].Value);
            }
        }

        return unknown;
    }

    /// <summary>Every Markdown file of the checkout, outside build output.</summary>
    private static IEnumerable<string> MarkdownFiles(string root)
    {
        string[] skipped = ["bin", "obj", "artifacts", "node_modules", ".git", ".aws-sam"];
        var pending = new Stack<string>([root]);
        while (pending.TryPop(out var directory))
        {
            foreach (var file in Directory.EnumerateFiles(directory, "*.md"))
            {
                yield return file;
            }

            foreach (var child in Directory.EnumerateDirectories(directory).Where(d => !skipped.Contains(Path.GetFileName(d))))
            {
                pending.Push(child);
            }
        }
    }
}
