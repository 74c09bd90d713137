using Replicator.Cli.Composition;
using Replicator.Cli.Output;
using Replicator.Cli.Verification;
using Replicator.Testing;
using Spectre.Console;

namespace Replicator.Cli.Tests.Output;

public sealed class VerifyTableTests
{
    [Fact]
    public void A_repository_longer_than_a_table_is_written_in_tables_of_MaxRows()
    {
        using var output = new StringWriter();
        var table = new TableWriter(Redirected(output), () => new Table().AddColumns("Repository", "Tag"));

        for (var i = 0; i < (2 * TableWriter.MaxRows) + 1; i++)
        {
            table.Add(new Text("app"), new Text($"v{i}"));
        }

        // Two full tables are written as soon as they are full; the last row waits for Flush.
        Assert.Equal(2, Headers(output.ToString()));
        table.Flush();
        Assert.Equal(3, Headers(output.ToString()));
        Assert.Contains("│ v2000 ", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Reason_lines_are_bounded_and_name_the_first_few_repositories()
    {
        using var output = new StringWriter();
        var table = new VerifyTable(Redirected(output));
        var counts = new VerifyCounts();
        table.Begin("us-east-1", ["us-west-2"]);

        // Five repositories a destination cannot read for one reason, then one each for many other reasons.
        var entries = Enumerable.Range(0, 5).Select(i => Unreadable($"app{i}", "AccessDenied"))
            .Concat(Enumerable.Range(0, VerifyTable.MaxReasons + 20).Select(i => Unreadable($"other{i}", $"AccessDenied {i}")));
        foreach (var entry in entries)
        {
            counts.Add(entry);
            table.Write([entry]);
        }

        table.End(counts);

        var lines = output.ToString().Split(Environment.NewLine).Where(l => l.StartsWith("unreadable: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(VerifyTable.MaxReasons + 1, lines.Count);
        Assert.Equal("unreadable: us-west-2 (app0, app1, app2 and 2 more): AccessDenied", lines[0]);
        Assert.Equal("unreadable: us-west-2 (other98): AccessDenied 98", lines[^2]);
        Assert.Equal("unreadable: 21 more under other reasons, not shown", lines[^1]);
        Assert.Contains("drift: 0 missing, 0 different, 0 extra, 125 unreadable of 125", output.ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// An ECR error's reason ends with its call's request id, different for every repository: the repositories one
    /// destination refuses for the same reason still share one line (the CLI README's verify row), which shows the
    /// first one's request id.
    /// </summary>
    [Fact]
    public void Reasons_that_differ_only_in_their_request_id_share_a_line_showing_the_first_ones()
    {
        using var output = new StringWriter();
        var table = new VerifyTable(Redirected(output));
        var counts = new VerifyCounts();
        table.Begin("us-east-1", ["us-west-2"]);
        string Denied(int i) => $"DescribeImages: AccessDeniedException: denied (HTTP 400, request id 328b{i:x4}-aaaa)";
        var entries = Enumerable.Range(0, 5).Select(i => Unreadable($"app{i}", Denied(i)))
            .Append(Unreadable("other", "DescribeImages: RepositoryNotFoundException: gone (request id 99)"));
        foreach (var entry in entries)
        {
            counts.Add(entry);
            table.Write([entry]);
        }

        table.End(counts);

        var lines = output.ToString().Split(Environment.NewLine).Where(l => l.StartsWith("unreadable: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [
                $"unreadable: us-west-2 (app0, app1, app2 and 2 more): {Denied(0)}",
                "unreadable: us-west-2 (other): DescribeImages: RepositoryNotFoundException: gone (request id 99)",
            ],
            lines);
    }

    /// <summary>
    /// The closing line counts an unreadable destination from the first one: a drift line whose counts add up to less
    /// than its total would leave the operator looking for a missing or different tag that is not there.
    /// </summary>
    [Fact]
    public void One_unreadable_destination_is_named_in_the_drift_line()
    {
        var counts = VerifyCounts.Of(
        [
            new DriftEntry("app", "v1", "us-west-2", "sha256:a", "sha256:a", DriftStatus.InSync),
            Unreadable("app", "AccessDenied"),
        ]);

        Assert.Equal("drift: 0 missing, 0 different, 0 extra, 1 unreadable of 2", VerifyTable.Caption(counts));
    }

    /// <summary>
    /// Past <see cref="VerifyTable.MaxReasons"/> reasons the closing line still counts every tag left out: a
    /// repository's tags whose referrers were not listed come in one write, each of them a name under its reason.
    /// </summary>
    [Fact]
    public void Tags_under_reasons_past_the_bound_are_each_counted_as_not_shown()
    {
        using var output = new StringWriter();
        var table = new VerifyTable(Redirected(output));
        var counts = new VerifyCounts();
        table.Begin("us-east-1", ["us-west-2"]);
        for (var i = 0; i <= VerifyTable.MaxReasons; i++)
        {
            // The last repository, past the bound, has three tags whose referrers the source would not list.
            var tags = i < VerifyTable.MaxReasons ? 1 : 3;
            var entries = Enumerable.Range(0, tags)
                .Select(t => new DriftEntry($"app{i}", $"v{t}", "us-west-2", "sha256:a", null, DriftStatus.ReferrersUnlisted) { Reason = $"upstream {i} refused" })
                .ToList();
            foreach (var entry in entries)
            {
                counts.Add(entry);
            }

            table.Write(entries);
        }

        table.End(counts);

        var lines = output.ToString().Split(Environment.NewLine).Where(l => l.StartsWith("referrers not listed: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(VerifyTable.MaxReasons + 1, lines.Count);
        Assert.Equal("referrers not listed: app0 (v0): upstream 0 refused", lines[0]);
        Assert.Equal("referrers not listed: 3 more under other reasons, not shown", lines[^1]);
    }

    /// <summary>
    /// A tag in sync whose image is not ACTIVE on a side says so in its row: ACTIVATING (a restore from archive under
    /// way) reads "being restored", the words the archived rows use. A status this build does not know (ECR may add
    /// one: https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageDetail.html, imageStatus) is shown as ECR
    /// gave it, escaped, so a bracket in it cannot break the table's markup and end verify with a rendering error.
    /// </summary>
    [Theory]
    [InlineData("ACTIVATING", "in sync, destination being restored")]
    [InlineData("ARCHIVED", "in sync, destination archived")]
    [InlineData("[FROZEN]", "in sync, destination [FROZEN]")]
    public void A_destination_image_that_is_not_active_is_described_in_its_row(string status, string expected)
    {
        using var output = new StringWriter();
        var table = new VerifyTable(Redirected(output));
        var entry = new DriftEntry("app", "v1", "us-west-2", "sha256:a", "sha256:a", DriftStatus.InSync) { DestinationImageStatus = status };
        var counts = VerifyCounts.Of([entry]);
        table.Begin("us-east-1", ["us-west-2"]);

        table.Write([entry]);
        table.End(counts);

        var row = Assert.Single(output.ToString().Split(Environment.NewLine), l => l.Contains("│ app ", StringComparison.Ordinal));
        Assert.Contains($"│ {expected} ", row, StringComparison.Ordinal);
    }

    private static DriftEntry Unreadable(string repository, string reason) =>
        new(repository, null, "us-west-2", null, null, DriftStatus.Unreadable) { Reason = reason };

    private static int Headers(string text) =>
        text.Split(Environment.NewLine).Count(l => l.Contains("│ Repository", StringComparison.Ordinal));

    private static CliConsole Redirected(TextWriter output) => new(new CliContext
    {
        Environment = DictionaryEnvironmentVariables.Of(new Dictionary<string, string>()),
        Out = output,
        Error = TextWriter.Null,
    });
}
