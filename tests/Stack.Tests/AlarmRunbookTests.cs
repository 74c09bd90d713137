using System.Text.RegularExpressions;
using Stack.Tests.Support;

namespace Stack.Tests;

/// <summary>
/// docs/deploy.md, "Alarms: what to do first": the runbook names every alarm the template creates, in every branch of
/// the template, and nothing else. An alarm made per destination region (Fn::ForEach) is named by its pattern,
/// <c>LatencyAlarm&lt;region&gt;</c>.
/// </summary>
public sealed partial class AlarmRunbookTests
{
    [GeneratedRegex(@"^(?<prefix>LatencyAlarm|StallAlarm)(?<region>[a-z]+[0-9]+)$")]
    private static partial Regex PerRegion();

    [GeneratedRegex(@"^\| `(?<alarm>[A-Za-z0-9<>]+)` \|", RegexOptions.Multiline)]
    private static partial Regex TableRow();

    private static IReadOnlyList<string> Runbook()
    {
        var deploy = File.ReadAllText(RepositoryRoot.File("docs", "deploy.md"));
        var start = deploy.IndexOf("### Alarms: what to do first", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/deploy.md has no \"Alarms: what to do first\" section");
        var end = deploy.IndexOf("\n#", start + 1, StringComparison.Ordinal);
        var section = deploy[start..(end < 0 ? deploy.Length : end)];
        return [.. TableRow().Matches(section).Select(m => m.Groups["alarm"].Value)];
    }

    private static string Documented(string logicalId) =>
        PerRegion().Match(logicalId) is { Success: true } m ? m.Groups["prefix"].Value + "<region>" : logicalId;

    [Fact]
    public void Every_alarm_of_every_branch_of_the_template_has_a_row_in_the_runbook_and_every_row_an_alarm()
    {
        var runbook = Runbook();
        var alarms = Samples.EveryBranch()
            .SelectMany(b => b.Stack.OfType("AWS::CloudWatch::Alarm").Select(a => Documented(a.Key)))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

        // The per-region ones are there (the samples have DestinationRegions), and the reconcile ones (a schedule).
        Assert.Contains("LatencyAlarm<region>", alarms);
        Assert.Contains("ReconcileFailuresAlarm", alarms);
        Assert.Equal(alarms, runbook.Order(StringComparer.Ordinal));
    }
}
