using System.Text.Json;
using LocalEcr;
using Replicator.Cli.Tests.Support;
using Replicator.Core.Signing;
using Replicator.Testing;

namespace Replicator.Cli.Tests.Commands;

/// <summary>
/// verify with a destination it cannot read: a role STS refuses (the destination stack not yet deployed in that
/// account), ECR denying the calls, a mapped name ECR would refuse. That destination's repositories are reported
/// <c>Unreadable</c> with the reason, the other destinations are still compared, and the exit code is 1 (not in sync),
/// not 2: one misconfigured account must not hide the report of the others.
/// </summary>
public sealed class VerifyUnreadableDestinationTests
{
    private const string Other = "222222222222";

    /// <summary>Not an account LocalEcr serves: STS refuses its role, as AWS does for a role that does not exist.</summary>
    private const string Missing = "999999999999";

    private const string RefusedRole = $"arn:aws:iam::{Missing}:role/ecr-replicator-destination";

    private static readonly AwsCredentials OtherKeys = new("AKIAOTHERACCOUNT0002", "other-account-secret-91be");

    private static readonly string Good = $"{Other}:{CliHarness.West}";

    private static readonly string Refused = $"{Missing}:{CliHarness.Europe}";

    private static readonly string[] Regions = ["--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--destination-region", CliHarness.Europe];

    [Fact]
    public async Task A_destination_whose_role_is_refused_is_unreadable_with_its_reason_and_the_other_account_is_still_in_sync()
    {
        await using var h = await CliHarness.StartAsync(null, options => options.OtherAccounts.Add(new LocalEcrAccount(Other, OtherKeys.AccessKeyId, OtherKeys.SecretAccessKey)));
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(91), "v1");
        await h.PushAsync(CliHarness.Source, "web", CliHarness.Single(92), "v2");
        var environment = h.Environment(("AWS_ENDPOINT_URL_STS", h.Server.BaseAddress.ToString()));
        var sync = await h.RunWithAsync(environment, null, "sync", "--source-region", CliHarness.Source, "--destination-region", Good);
        Assert.True(sync.ExitCode == 0, sync.ToString());
        string[] both = ["--source-region", CliHarness.Source, "--destination-region", Good, "--destination-region", Refused];
        h.Server.Calls.Reset();

        var table = await h.RunWithAsync(environment, null, ["verify", .. both]);
        var assumeRoles = h.Server.Calls.Count("sts:AssumeRole");
        var json = await h.RunWithAsync(environment, null, ["verify", "--json", .. both]);

        Assert.True(table.ExitCode == 1, table.ToString());
        table.AssertNoAnsi();
        Assert.Matches(@"app\s+│ v1\s+│ 222222222222:us-west-2\s+│ sha256:\w{12}\s+│ sha256:\w{12}\s+│ in sync", table.Output);
        Assert.Matches(@"web\s+│ v2\s+│ 222222222222:us-west-2\s+│ sha256:\w{12}\s+│ sha256:\w{12}\s+│ in sync", table.Output);
        Assert.Matches(@"app\s+│ -\s+│ 999999999999:eu-west-1\s+│ -\s+│ -\s+│ unreadable", table.Output);
        Assert.Matches(@"web\s+│ -\s+│ 999999999999:eu-west-1\s+│ -\s+│ -\s+│ unreadable", table.Output);
        Assert.Contains("drift: 0 missing, 0 different, 0 extra, 2 unreadable of 4", table.Output, StringComparison.Ordinal);
        Assert.Contains(
            $"unreadable: {Refused} (app, web): DestinationCredentialsUnavailable: could not assume role {RefusedRole}: AccessDenied",
            table.Output,
            StringComparison.Ordinal);

        // The refused role is asked once in the run, not once per repository; the good one once too (its credentials are kept).
        Assert.Equal(2, assumeRoles);
        Assert.Empty(table.Error);

        Assert.True(json.ExitCode == 1, json.ToString());
        Assert.DoesNotContain(OtherKeys.SecretAccessKey, table.Output + json.Output, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json.Output);
        var root = document.RootElement;
        Assert.False(root.GetProperty("inSync").GetBoolean());
        Assert.Equal(2, root.GetProperty("unreadable").GetInt32());
        Assert.Equal(0, root.GetProperty("missing").GetInt32());
        var entries = root.GetProperty("entries").EnumerateArray().ToList();
        var good = entries.Where(e => e.GetProperty("destination").GetString() == Good).ToList();
        Assert.Equal(["app", "web"], good.Select(e => e.GetProperty("repository").GetString()));
        Assert.All(good, e => Assert.Equal("InSync", e.GetProperty("status").GetString()));
        var refused = entries.Where(e => e.GetProperty("destination").GetString() == Refused).ToList();
        Assert.Equal(["app", "web"], refused.Select(e => e.GetProperty("repository").GetString()));
        Assert.All(refused, e =>
        {
            Assert.Equal("Unreadable", e.GetProperty("status").GetString());
            Assert.Equal(JsonValueKind.Null, e.GetProperty("tag").ValueKind);
            Assert.Equal(JsonValueKind.Null, e.GetProperty("destinationDigest").ValueKind);
            Assert.StartsWith($"DestinationCredentialsUnavailable: could not assume role {RefusedRole}: AccessDenied", e.GetProperty("reason").GetString(), StringComparison.Ordinal);
        });
        Assert.All(good, e => Assert.False(e.TryGetProperty("reason", out _)));
    }

    [Fact]
    public async Task A_destination_whose_calls_are_denied_is_unreadable_and_the_other_region_is_still_in_sync()
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(93), "v1");
        var sync = await h.RunAsync(["sync", .. Regions]);
        Assert.True(sync.ExitCode == 0, sync.ToString());
        h.Server.Faults.FailNext("DescribeImages", 100, "AccessDeniedException", region: CliHarness.West, message: "not authorized to perform: ecr:DescribeImages");

        var run = await h.RunAsync(["verify", "--json", .. Regions]);

        Assert.True(run.ExitCode == 1, run.ToString());
        using var document = JsonDocument.Parse(run.Output);
        var entries = document.RootElement.GetProperty("entries").EnumerateArray().ToList();
        var europe = Assert.Single(entries, e => e.GetProperty("destination").GetString() == CliHarness.Europe);
        Assert.Equal(("v1", "InSync"), (europe.GetProperty("tag").GetString(), europe.GetProperty("status").GetString()));
        var west = Assert.Single(entries, e => e.GetProperty("destination").GetString() == CliHarness.West);
        Assert.Equal("Unreadable", west.GetProperty("status").GetString());
        Assert.StartsWith("DescribeImages: AccessDeniedException: not authorized to perform: ecr:DescribeImages", west.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// ECR denying one repository's calls (a repository policy, or an IAM policy scoped to some repositories) says
    /// nothing of the next one: unlike a refused role or key, the denial is not kept for the destination, and the next
    /// repository there is still read and compared.
    /// </summary>
    [Fact]
    public async Task A_denial_of_one_repository_leaves_the_next_repository_of_that_destination_compared()
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "aa", CliHarness.Single(96), "v1");
        await h.PushAsync(CliHarness.Source, "bb", CliHarness.Single(97), "v1");
        string[] regions = ["--source-region", CliHarness.Source, "--destination-region", CliHarness.West];
        var sync = await h.RunAsync(["sync", .. regions]);
        Assert.True(sync.ExitCode == 0, sync.ToString());

        // The destination's first DescribeImages is aa's listing: the repositories are compared in name order.
        h.Server.Faults.FailNext("DescribeImages", 1, "AccessDeniedException", region: CliHarness.West, message: "not authorized to perform: ecr:DescribeImages on aa");

        var run = await h.RunAsync(["verify", "--json", .. regions]);

        Assert.True(run.ExitCode == 1, run.ToString());
        using var document = JsonDocument.Parse(run.Output);
        var entries = document.RootElement.GetProperty("entries").EnumerateArray().ToList();
        var aa = Assert.Single(entries, e => e.GetProperty("repository").GetString() == "aa");
        Assert.Equal("Unreadable", aa.GetProperty("status").GetString());
        var bb = Assert.Single(entries, e => e.GetProperty("repository").GetString() == "bb");
        Assert.Equal(("v1", "InSync"), (bb.GetProperty("tag").GetString(), bb.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task A_repository_the_mapping_gives_an_invalid_name_is_unreadable_and_the_other_repositories_are_compared()
    {
        // "team" (no slash) to "mirror/" maps team/app to mirror//app, which ECR refuses as a name.
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "team/app", CliHarness.Single(94), "v1");
        await h.PushAsync(CliHarness.Source, "web", CliHarness.Single(95), "v1");
        string[] selection = ["--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--repository-mapping", "team=mirror/"];
        await h.RunAsync(["sync", .. selection]);

        var run = await h.RunAsync(["verify", "--json", .. selection]);

        Assert.True(run.ExitCode == 1, run.ToString());
        using var document = JsonDocument.Parse(run.Output);
        var entries = document.RootElement.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal("InSync", Assert.Single(entries, e => e.GetProperty("repository").GetString() == "web").GetProperty("status").GetString());
        var unmapped = Assert.Single(entries, e => e.GetProperty("repository").GetString() == "team/app");
        Assert.Equal("Unreadable", unmapped.GetProperty("status").GetString());
        Assert.StartsWith("InvalidRepositoryMapping: ", unmapped.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }
}
