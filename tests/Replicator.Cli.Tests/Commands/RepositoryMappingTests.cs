using System.Text.Json;
using System.Text.RegularExpressions;
using Replicator.Cli.Tests.Support;

namespace Replicator.Cli.Tests.Commands;

/// <summary>
/// <c>--repository-mapping</c> (default <c>REPOSITORY_MAPPING</c>) end to end over LocalEcr: copy and sync write
/// under the mapped name only, and verify compares each source repository with its mapped name.
/// </summary>
public sealed class RepositoryMappingTests
{
    // "team/" is longer than "" and wins for team/app; every other name takes the catch-all.
    private const string Mapping = "team/=mirror/team/,=backup/";

    [Fact]
    public async Task Copy_writes_under_the_longest_matching_prefix_and_not_under_the_source_name()
    {
        await using var h = await CliHarness.StartAsync();
        var app = CliHarness.Sample(61);
        var tool = CliHarness.Single(62);
        await h.PushAsync(CliHarness.Source, "team/app", app, "v1");
        await h.PushAsync(CliHarness.Source, "tool", tool, "v1");

        var first = await h.RunAsync("copy", "team/app:v1", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--repository-mapping", Mapping);
        var second = await h.RunAsync("copy", "tool:v1", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--repository-mapping", Mapping);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(app.Digest, await h.TagDigestAsync(CliHarness.West, "mirror/team/app", "v1"));
        Assert.Equal(tool.Digest, await h.TagDigestAsync(CliHarness.West, "backup/tool", "v1"));
        Assert.Null(await h.TagDigestAsync(CliHarness.West, "backup/team/app", "v1"));
        Assert.Null(await h.TagDigestAsync(CliHarness.West, "team/app", "v1"));
        Assert.Null(await h.TagDigestAsync(CliHarness.West, "tool", "v1"));
    }

    [Fact]
    public async Task Sync_takes_the_mapping_from_REPOSITORY_MAPPING_and_writes_every_destination_under_the_mapped_names()
    {
        await using var h = await CliHarness.StartAsync();
        var app = CliHarness.Sample(63);
        var tool = CliHarness.Single(64);
        await h.PushAsync(CliHarness.Source, "team/app", app, "v1");
        await h.PushAsync(CliHarness.Source, "tool", tool, "latest");

        var run = await h.RunWithAsync(
            h.Environment(("REPOSITORY_MAPPING", Mapping)), null, "sync", "--source-region", CliHarness.Source, "--destination-region", $"{CliHarness.West},{CliHarness.Europe}");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("2 image(s), 4 copied", run.Output, StringComparison.Ordinal);
        foreach (var region in new[] { CliHarness.West, CliHarness.Europe })
        {
            Assert.Equal(app.Digest, await h.TagDigestAsync(region, "mirror/team/app", "v1"));
            Assert.Equal(tool.Digest, await h.TagDigestAsync(region, "backup/tool", "latest"));
            Assert.Null(await h.TagDigestAsync(region, "team/app", "v1"));
            Assert.Null(await h.TagDigestAsync(region, "tool", "latest"));
        }
    }

    [Fact]
    public async Task Verify_with_the_mapping_is_in_sync_and_without_it_reports_every_tag_missing()
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "team/app", CliHarness.Single(65), "v1");
        await h.PushAsync(CliHarness.Source, "tool", CliHarness.Single(66), "v1");
        string[] regions = ["--source-region", CliHarness.Source, "--destination-region", CliHarness.West];
        var sync = await h.RunAsync(["sync", "--repository-mapping", Mapping, .. regions]);
        Assert.True(sync.ExitCode == 0, sync.ToString());

        var mapped = await h.RunAsync(["verify", "--repository-mapping", Mapping, .. regions]);
        var fromVariable = await h.RunWithAsync(h.Environment(("REPOSITORY_MAPPING", Mapping)), null, ["verify", .. regions]);
        var unmapped = await h.RunAsync(["verify", "--json", .. regions]);

        Assert.True(mapped.ExitCode == 0, mapped.ToString());
        Assert.Contains("in sync: 2 tag(s) checked", mapped.Output, StringComparison.Ordinal);
        Assert.True(fromVariable.ExitCode == 0, fromVariable.ToString());
        Assert.True(unmapped.ExitCode == 1, unmapped.ToString());
        using var document = JsonDocument.Parse(unmapped.Output);
        Assert.Equal(2, document.RootElement.GetProperty("missing").GetInt32());
        Assert.Equal(2, document.RootElement.GetProperty("entries").GetArrayLength());
        Assert.All(document.RootElement.GetProperty("entries").EnumerateArray(), e => Assert.Equal("Missing", e.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Drift_in_the_mapped_repository_is_reported()
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "team/app", CliHarness.Single(67), "v1");
        string[] selection = ["--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--repository-mapping", Mapping];
        Assert.Equal(0, (await h.RunAsync(["sync", .. selection])).ExitCode);
        await h.DeleteTagAsync(CliHarness.West, "mirror/team/app", "v1");

        var run = await h.RunAsync(["verify", .. selection]);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("drift: 1 missing", run.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// "team" (no slash) to "mirror/" maps team/app to mirror//app, which ECR refuses as a name. The dry run says so in
    /// a row per destination and plans web after it, as sync fails that repository's destinations and copies the rest
    /// (both exit 1); before, the dry run stopped at team/app with exit 2 and no plan of web.
    /// </summary>
    [Fact]
    public async Task A_dry_run_reports_a_repository_the_mapping_gives_an_invalid_name_in_each_destination_plans_the_others_and_exits_1()
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "team/app", CliHarness.Single(70), "v1");
        await h.PushAsync(CliHarness.Source, "web", CliHarness.Single(71), "v1");

        var run = await h.RunAsync("sync", "--dry-run", "--source-region", CliHarness.Source, "--destination-region", $"{CliHarness.West},{CliHarness.Europe}", "--repository-mapping", "team=mirror/");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Equal(string.Empty, run.Error);
        var lines = run.Output.Split(Environment.NewLine);
        foreach (var region in new[] { CliHarness.West, CliHarness.Europe })
        {
            Assert.Single(lines, l => Regex.IsMatch(l, $@"team/app\s+│ v1\s+│ sha256:\w{{12}}\s+│ {region}\s+│ InvalidRepositoryMapping: --repository-mapping maps"));
        }

        var web = Array.FindIndex(lines, l => Regex.IsMatch(l, @"web\s+│ v1\s+│ sha256:\w{12}\s+│ us-west-2\s+│ create repository, copy"));
        Assert.True(web > Array.FindIndex(lines, l => l.Contains("team/app", StringComparison.Ordinal)), run.Output);
        Assert.Contains("repository name 'mirror//app' is invalid", run.Output, StringComparison.Ordinal);
        Assert.Contains("2 image(s), 2 destination(s) to write, ", run.Output, StringComparison.Ordinal);
        Assert.EndsWith(" to copy, 2 destination(s) with an invalid mapped name" + Environment.NewLine, run.Output, StringComparison.Ordinal);
        Assert.Equal(0, h.WritesTo(CliHarness.West));
    }

    [Fact]
    public async Task An_invalid_mapped_name_is_reported_under_the_option_the_mapping_came_from()
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "team/app", CliHarness.Single(72), "v1");
        string[] regions = ["--source-region", CliHarness.Source, "--destination-region", CliHarness.West];

        var option = await h.RunAsync(["sync", .. regions, "--repository-mapping", "team=mirror/"]);
        var variable = await h.RunWithAsync(h.Environment(("REPOSITORY_MAPPING", "team=mirror/")), null, ["sync", .. regions]);

        Assert.True(option.ExitCode == 1, option.ToString());
        Assert.Contains("InvalidRepositoryMapping: --repository-mapping maps repository 'team/app' to an invalid name", option.Output + option.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("REPOSITORY_MAPPING", option.Output + option.Error, StringComparison.Ordinal);
        Assert.True(variable.ExitCode == 1, variable.ToString());
        Assert.Contains("InvalidRepositoryMapping: REPOSITORY_MAPPING maps repository 'team/app' to an invalid name", variable.Output + variable.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("team/=Mirror/", "the destination prefix 'Mirror/' may hold only lowercase letters")]
    [InlineData("team/", "entry 'team/' must be SOURCE_PREFIX=DESTINATION_PREFIX")]
    [InlineData("team/=a/,team/=b/", "source prefix 'team/' is listed twice")]
    public async Task A_bad_mapping_is_a_one_line_error_naming_the_option_and_nothing_is_written(string mapping, string expected)
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "team/app", CliHarness.Single(68), "v1");

        var run = await h.RunAsync("sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--repository-mapping", mapping);

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError("--repository-mapping");
        run.AssertOneLineError(expected);
        Assert.Equal(0, h.WritesTo(CliHarness.West));
    }

    [Fact]
    public async Task A_bad_exported_REPOSITORY_MAPPING_is_named_as_the_variable_and_the_option_wins_over_it()
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "team/app", CliHarness.Single(69), "v1");
        var environment = h.Environment(("REPOSITORY_MAPPING", "team/"));
        string[] regions = ["--source-region", CliHarness.Source, "--destination-region", CliHarness.West];

        var sync = await h.RunWithAsync(environment, null, ["sync", .. regions]);
        var pushSample = await h.RunWithAsync(environment, null, "push-sample", "demo/app:v1", "--source-region", CliHarness.Source);
        var option = await h.RunWithAsync(environment, null, ["sync", .. regions, "--repository-mapping", "team/=mirror/", "--dry-run"]);

        foreach (var run in new[] { sync, pushSample })
        {
            Assert.Equal(2, run.ExitCode);
            run.AssertOneLineError("REPOSITORY_MAPPING entry 'team/' must be SOURCE_PREFIX=DESTINATION_PREFIX");
            Assert.DoesNotContain("--repository-mapping", run.Error, StringComparison.Ordinal);
        }

        Assert.True(option.ExitCode == 0, option.ToString());
        Assert.Equal(0, h.WritesTo(CliHarness.West));
    }
}
