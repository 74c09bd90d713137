using LocalEcr;
using Replicator.Cli.Tests.Support;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Signing;
using Replicator.Testing;

namespace Replicator.Cli.Tests.Commands;

/// <summary>
/// <c>--destination-region ACCOUNT:REGION</c> end to end: LocalEcr serves two accounts and STS, the CLI assumes the
/// role in the destination account (the function's DESTINATION_ROLE_NAME / DESTINATION_ROLE_ARNS /
/// DESTINATION_EXTERNAL_ID rules) and the image is read back with that account's own keys.
/// </summary>
public sealed class OtherAccountDestinationTests
{
    private const string Other = "222222222222";
    private const string DefaultRole = $"arn:aws:iam::{Other}:role/ecr-replicator-destination";

    private static readonly AwsCredentials OtherKeys = new("AKIAOTHERACCOUNT0001", "other-account-secret-4d2c");

    private static Task<CliHarness> StartAsync(string? requiredExternalId = null) => CliHarness.StartAsync(null, options =>
    {
        options.OtherAccounts.Add(new LocalEcrAccount(Other, OtherKeys.AccessKeyId, OtherKeys.SecretAccessKey));
        if (requiredExternalId is not null)
        {
            options.RequiredExternalIds[Other] = requiredExternalId;
        }
    });

    private static DictionaryEnvironmentVariables WithSts(CliHarness h, params (string Name, string Value)[] extra) =>
        h.Environment([("AWS_ENDPOINT_URL_STS", h.Server.BaseAddress.ToString()), .. extra]);

    [Fact]
    public async Task Copy_to_ACCOUNT_REGION_assumes_the_default_role_there_and_the_image_lands_in_that_account()
    {
        await using var h = await StartAsync();
        var image = CliHarness.Sample(81);
        await h.PushAsync(CliHarness.Source, "app", image, "v1");

        var run = await h.RunWithAsync(WithSts(h), null, "copy", "app:v1", "--source-region", CliHarness.Source, "--destination-region", $"{Other}:{CliHarness.West}");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal([DefaultRole], h.Server.Calls.AssumedRoles);
        Assert.Equal(1, h.Server.Calls.Count(CliHarness.Source, "sts:AssumeRole"));
        var there = new RegistryProbe(h.ClientAs(OtherKeys, CliHarness.West));
        Assert.Equal(image.Digest, await there.TagDigestAsync("app", "v1"));
        Assert.True(await there.HasVerifiedImageAsync("app", image.Digest));
        Assert.Null(await h.TagDigestAsync(CliHarness.West, "app", "v1"));
    }

    [Fact]
    public async Task Sync_and_verify_use_the_role_DESTINATION_ROLE_ARNS_names_and_the_mapping()
    {
        const string role = $"arn:aws:iam::{Other}:role/platform/ecr-writer";
        await using var h = await StartAsync();
        var image = CliHarness.Single(82);
        await h.PushAsync(CliHarness.Source, "team/app", image, "v1");
        var environment = WithSts(h, ("DESTINATION_ROLE_ARNS", $"{Other}={role}"), ("DESTINATION_ROLE_NAME", "not-this-one"));
        string[] selection = ["--source-region", CliHarness.Source, "--destination-region", $"{Other}:{CliHarness.West}", "--repository-mapping", "team/=mirror/"];

        var sync = await h.RunWithAsync(environment, null, ["sync", .. selection]);
        var verify = await h.RunWithAsync(environment, null, ["verify", .. selection]);

        Assert.True(sync.ExitCode == 0, sync.ToString());
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("in sync: 1 tag(s) checked", verify.Output, StringComparison.Ordinal);
        Assert.NotEmpty(h.Server.Calls.AssumedRoles);
        Assert.All(h.Server.Calls.AssumedRoles, r => Assert.Equal(role, r));
        var there = new RegistryProbe(h.ClientAs(OtherKeys, CliHarness.West));
        Assert.Equal(image.Digest, await there.TagDigestAsync("mirror/app", "v1"));
        Assert.Null(await there.TagDigestAsync("team/app", "v1"));
    }

    [Fact]
    public async Task DESTINATION_ROLE_NAME_names_the_role_assumed_in_every_other_account()
    {
        await using var h = await StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(83), "v1");

        var run = await h.RunWithAsync(
            WithSts(h, ("DESTINATION_ROLE_NAME", "ecr-writer")), null, "copy", "app:v1", "--source-region", CliHarness.Source, "--destination-region", $"{Other}:{CliHarness.West}");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal([$"arn:aws:iam::{Other}:role/ecr-writer"], h.Server.Calls.AssumedRoles);
    }

    [Fact]
    public async Task A_role_that_cannot_be_assumed_fails_the_destination_with_the_role_in_the_reason_and_writes_nothing_there()
    {
        // 999999999999 is not an account LocalEcr serves: STS refuses the role, as AWS does for a role that is not there.
        await using var h = await StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(84), "v1");

        var run = await h.RunWithAsync(WithSts(h), null, "copy", "app:v1", "--source-region", CliHarness.Source, "--destination-region", $"999999999999:{CliHarness.West}");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("could not assume role arn:aws:iam::999999999999:role/ecr-replicator-destination: AccessDenied", run.Output + run.Error, StringComparison.Ordinal);
        Assert.Empty(h.Server.Calls.AssumedRoles);
        Assert.Equal(0, h.WritesTo(CliHarness.West));
    }

    [Fact]
    public async Task Verify_and_sync_enqueue_of_an_empty_repository_reach_an_ACCOUNT_REGION_destination_of_the_callers_own_account_with_its_own_keys()
    {
        // The source lists no image to name the caller's account, which the source registry still does
        // (DescribeRepositories); without it the destination would be taken for another account's, through a role.
        await using var h = await StartAsync();
        await h.Client(CliHarness.Source).CreateRepositoryAsync(new CreateRepositoryRequest { RepositoryName = "emptied" });
        await h.PushAsync(CliHarness.West, "emptied", CliHarness.Single(86), "v0");
        await using var sqs = await FakeSqsServer.StartAsync();
        var environment = WithSts(h, ("AWS_ENDPOINT_URL_SQS", sqs.Endpoint.AbsoluteUri));
        string[] selection = ["--source-region", CliHarness.Source, "--destination-region", $"{h.Server.AccountId}:{CliHarness.West}", "--repository", "emptied"];

        var verify = await h.RunWithAsync(environment, null, ["verify", "--json", .. selection]);
        var enqueue = await h.RunWithAsync(environment, null, ["sync", .. selection, "--enqueue", new Uri(sqs.Endpoint, "/000000000000/replicator.fifo").AbsoluteUri]);

        // The destination was read: its tag the source no longer has is reported as extra.
        Assert.True(verify.ExitCode == 1, verify.ToString());
        Assert.Contains("\"v0\"", verify.Output, StringComparison.Ordinal);
        Assert.True(enqueue.ExitCode == 0, enqueue.ToString());
        Assert.Equal(0, h.Server.Calls.Count("sts:AssumeRole"));
    }

    [Fact]
    public async Task DESTINATION_EXTERNAL_ID_is_sent_with_AssumeRole()
    {
        // The role's trust policy requires the external id (LocalEcr refuses AssumeRole without it, as STS does).
        await using var h = await StartAsync(requiredExternalId: "replicator-7c1e");
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(85), "v1");
        string[] copy = ["copy", "app:v1", "--source-region", CliHarness.Source, "--destination-region", $"{Other}:{CliHarness.West}"];

        var without = await h.RunWithAsync(WithSts(h), null, copy);
        var with = await h.RunWithAsync(WithSts(h, ("DESTINATION_EXTERNAL_ID", "replicator-7c1e")), null, copy);

        Assert.True(without.ExitCode == 1, without.ToString());
        Assert.Contains($"could not assume role {DefaultRole}: AccessDenied", without.Output + without.Error, StringComparison.Ordinal);
        Assert.True(with.ExitCode == 0, with.ToString());
        Assert.Equal([DefaultRole], h.Server.Calls.AssumedRoles);
        Assert.NotNull(await new RegistryProbe(h.ClientAs(OtherKeys, CliHarness.West)).TagDigestAsync("app", "v1"));
    }
}
