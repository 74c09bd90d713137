using Replicator.Cli.Tests.Support;
using Replicator.Core.Ecr.Model;
using Replicator.Testing;

namespace Replicator.Cli.Tests.Commands;

/// <summary>
/// The function's environment exported into the CLI: its destination settings name every destination of the stack,
/// while a command selects some (<c>--destination-region</c>) or none (<c>sync --enqueue --all</c>).
/// </summary>
public sealed class FunctionEnvironmentTests
{
    private const string QueuePath = "/000000000000/replicator.fifo";
    private const string WestKey = "arn:aws:kms:us-west-2:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    private const string Regions = "us-west-2,eu-west-1,222222222222:eu-west-1,cn-north-1";

    // A stack with four destinations: another partition through SSM keys, another account through a named role, and a
    // KMS key per destination.
    private static readonly (string Name, string Value)[] Function =
    [
        ("DESTINATION_CREDENTIALS", "cn-north-1=ssm:/replicator/cn"),
        ("DESTINATION_ROLE_ARNS", "222222222222=arn:aws:iam::222222222222:role/writer"),
        ("DESTINATION_KMS_KEYS", $"us-west-2={WestKey},eu-west-1=alias/ecr,222222222222:eu-west-1=alias/other"),
    ];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Subset_ignores_other_destinations_entries_and_uses_its_own(bool regionsExported)
    {
        await using var h = await CliHarness.StartAsync();
        await CreateKmsRepositoryAsync(h);
        var image = CliHarness.Single(61);
        await h.PushAsync(CliHarness.Source, "kms", image, "v1");
        var environment = h.Environment(regionsExported ? [.. Function, ("DESTINATION_REGIONS", Regions)] : Function);
        string[] selection = ["--source-region", CliHarness.Source, "--destination-region", CliHarness.West];

        var dryRun = await h.RunWithAsync(environment, null, ["sync", .. selection, "--dry-run"]);
        var sync = await h.RunWithAsync(environment, null, ["sync", .. selection]);
        var verify = await h.RunWithAsync(environment, null, ["verify", .. selection]);

        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
        Assert.True(sync.ExitCode == 0, sync.ToString());
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Equal(image.Digest, await h.TagDigestAsync(CliHarness.West, "kms", "v1"));
        Assert.Equal(WestKey, await CreatedKeyAsync(h));
    }

    [Fact]
    public async Task Enqueue_all_sends_with_the_functions_environment_exported()
    {
        await using var h = await CliHarness.StartAsync();
        await using var sqs = await FakeSqsServer.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(62), "v1");
        var environment = h.Environment([.. Function, ("DESTINATION_REGIONS", Regions), ("AWS_ENDPOINT_URL_SQS", sqs.Endpoint.AbsoluteUri)]);

        var run = await h.RunWithAsync(environment, null, "sync", "--source-region", CliHarness.Source, "--enqueue", new Uri(sqs.Endpoint, QueuePath).AbsoluteUri, "--all");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Single(sqs.Requests.SelectMany(r => r.Body.GetProperty("Entries").EnumerateArray()));
    }

    [Theory]
    [InlineData("DESTINATION_KMS_KEYS", "us-west-2")]
    [InlineData("DESTINATION_CREDENTIALS", "cn-north-1=/replicator/cn")]
    [InlineData("DESTINATION_ROLE_ARNS", "222222222222=arn:aws:iam::333333333333:role/writer")]
    public async Task Enqueue_all_still_refuses_a_malformed_destination_setting(string variable, string value)
    {
        await using var h = await CliHarness.StartAsync();
        await using var sqs = await FakeSqsServer.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(63), "v1");
        var environment = h.Environment((variable, value), ("AWS_ENDPOINT_URL_SQS", sqs.Endpoint.AbsoluteUri));

        var run = await h.RunWithAsync(environment, null, "sync", "--source-region", CliHarness.Source, "--enqueue", new Uri(sqs.Endpoint, QueuePath).AbsoluteUri, "--all");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(variable, run.Error, StringComparison.Ordinal);
        Assert.Empty(sqs.Requests);
    }

    /// <summary>
    /// An entry naming neither a destination of an exported DESTINATION_REGIONS nor the selection: what a destination
    /// removed from the stack leaves behind, or a typo. Ignored with a warning on stderr, as the function ignores it with
    /// a WARN at init (Core's one rule); the run goes on and stdout holds its results alone.
    /// </summary>
    [Theory]
    [InlineData("DESTINATION_CREDENTIALS", "ap-south-1=ssm:/replicator/ap", "destination ap-south-1 is not in DESTINATION_REGIONS")]
    [InlineData("DESTINATION_ROLE_ARNS", "444444444444=arn:aws:iam::444444444444:role/writer", "account 444444444444 is not the account of any destination")]
    [InlineData("DESTINATION_KMS_KEYS", "ap-south-1=alias/ecr", "region ap-south-1 is not in DESTINATION_REGIONS")]
    public async Task An_entry_naming_a_destination_absent_from_an_exported_DESTINATION_REGIONS_is_ignored_with_a_warning(string variable, string value, string problem)
    {
        await using var h = await CliHarness.StartAsync();
        var image = CliHarness.Single(64);
        await h.PushAsync(CliHarness.Source, "app", image, "v1");
        var environment = h.Environment((variable, value), ("DESTINATION_REGIONS", "us-west-2,eu-west-1"));

        var run = await h.RunWithAsync(environment, null, "sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(image.Digest, await h.TagDigestAsync(CliHarness.West, "app", "v1"));
        var warning = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("warning: ", StringComparison.Ordinal));
        Assert.StartsWith($"warning: {variable}: entry '{value}' ignored: {problem}", warning, StringComparison.Ordinal);
        Assert.DoesNotContain(variable, run.Output, StringComparison.Ordinal);
    }

    /// <summary>A malformed entry stays a usage error, whichever destination it names.</summary>
    [Theory]
    [InlineData("DESTINATION_CREDENTIALS", "ap-south-1=/replicator/ap", "entry for ap-south-1 must be ap-south-1=ssm:/PARAMETER/NAME")]
    [InlineData("DESTINATION_ROLE_ARNS", "444444444444=arn:aws:iam::555555555555:role/writer", "belongs to account 555555555555")]
    [InlineData("DESTINATION_KMS_KEYS", "ap-south-1=ecr", "the key must be a key id")]
    public async Task A_malformed_entry_naming_a_destination_absent_from_an_exported_DESTINATION_REGIONS_is_refused(string variable, string value, string problem)
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(67), "v1");
        var environment = h.Environment((variable, value), ("DESTINATION_REGIONS", "us-west-2,eu-west-1"));

        var run = await h.RunWithAsync(environment, null, "sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(variable, run.Error, StringComparison.Ordinal);
        Assert.Contains(problem, run.Error, StringComparison.Ordinal);
        Assert.Equal(0, h.WritesTo(CliHarness.West));
    }

    [Fact]
    public async Task A_destination_selected_outside_an_exported_DESTINATION_REGIONS_may_have_its_entries()
    {
        await using var h = await CliHarness.StartAsync();
        await CreateKmsRepositoryAsync(h);
        await h.PushAsync(CliHarness.Source, "kms", CliHarness.Single(65), "v1");
        var environment = h.Environment(("DESTINATION_KMS_KEYS", $"us-west-2={WestKey}"), ("DESTINATION_REGIONS", "eu-west-1"));

        var run = await h.RunWithAsync(environment, null, "sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(WestKey, await CreatedKeyAsync(h));
    }

    [Fact]
    public async Task Without_a_KMS_key_dry_run_verify_and_enqueue_of_a_KMS_encrypted_source_still_run_and_the_plan_names_the_missing_key()
    {
        await using var h = await CliHarness.StartAsync();
        await using var sqs = await FakeSqsServer.StartAsync();
        await CreateKmsRepositoryAsync(h);
        await h.PushAsync(CliHarness.Source, "kms", CliHarness.Single(66), "v1");
        var environment = h.Environment(("AWS_ENDPOINT_URL_SQS", sqs.Endpoint.AbsoluteUri));
        string[] selection = ["--source-region", CliHarness.Source, "--destination-region", CliHarness.West];

        var dryRun = await h.RunWithAsync(environment, null, ["sync", .. selection, "--dry-run"]);
        var verify = await h.RunWithAsync(environment, null, ["verify", .. selection]);
        var enqueue = await h.RunWithAsync(environment, null, ["sync", .. selection, "--enqueue", new Uri(sqs.Endpoint, QueuePath).AbsoluteUri]);

        // The dry run runs and writes nothing, but plans what sync would do: fail there with KmsKeyNotConfigured before
        // it creates the repository (SyncCommandTests.Dry_run_names_the_missing_KMS_key_the_repository_creation_would_fail_on).
        Assert.True(dryRun.ExitCode == 1, dryRun.ToString());
        Assert.Contains("KmsKeyNotConfigured", dryRun.Output, StringComparison.Ordinal);
        Assert.True(verify.ExitCode == 1, verify.ToString());
        Assert.Contains("missing", verify.Output, StringComparison.Ordinal);
        Assert.True(enqueue.ExitCode == 0, enqueue.ToString());
        Assert.DoesNotContain("KmsKeyNotConfigured", verify.Output + enqueue.Output, StringComparison.Ordinal);
        Assert.Equal(0, h.WritesTo(CliHarness.West));
    }

    private static async Task<string?> CreatedKeyAsync(CliHarness h) =>
        (await h.Client(CliHarness.West).DescribeRepositoriesAsync(new DescribeRepositoriesRequest { RepositoryNames = ["kms"] })).Repositories!.Single().EncryptionConfiguration?.KmsKey;

    private static Task CreateKmsRepositoryAsync(CliHarness h) =>
        h.Client(CliHarness.Source).CreateRepositoryAsync(new CreateRepositoryRequest
        {
            RepositoryName = "kms",
            EncryptionConfiguration = new EncryptionConfiguration { EncryptionType = EncryptionType.Kms, KmsKey = "arn:aws:kms:us-east-1:000000000000:key/5a5a5a5a-1111-4111-8111-111111111111" },
        });
}
