using Replicator.Cli.Tests.Support;
using Replicator.Testing;

namespace Replicator.Cli.Tests.Commands;

/// <summary>
/// The CLI's own key refused by ECR in the source region (UnrecognizedClientException): a region of another partition
/// than the key's (AWS_REGION=cn-north-1 with a commercial profile), an inactive key, an opt-in region not enabled.
/// ECR's words name none of it; the error line must name the region, its partition and what to check, on one line
/// with exit 2, in every command that reads the source.
/// </summary>
public sealed class RefusedSourceKeyTests
{
    [Theory]
    [InlineData("sync", "--destination-region", "cn-northwest-1")]
    [InlineData("verify", "--destination-region", "cn-northwest-1")]
    [InlineData("copy", "app:v1", "--destination-region", "cn-northwest-1")]
    [InlineData("push-sample", "app:v1")]
    [InlineData("sync", "--enqueue", "https://sqs.cn-north-1.amazonaws.com.cn/000000000000/ecr-replicator.fifo", "--all")]
    public async Task A_key_of_another_partition_than_the_source_region_is_named_with_the_region_its_partition_and_what_to_do(params string[] args)
    {
        // LocalEcr knows the harness's key in partition aws only, as IAM knows a key in its own partition only.
        await using var h = await CliHarness.StartAsync();

        var run = await h.RunAsync([.. args, "--source-region", "cn-north-1"]);

        Assert.True(run.ExitCode == 2, run.ToString());
        run.AssertOneLineError("UnrecognizedClientException: The security token included in the request is invalid.");
        Assert.Contains("ECR in cn-north-1 (partition aws-cn) does not know the access key the command signs with", run.Error, StringComparison.Ordinal);
        Assert.Contains("that it belongs to partition aws-cn", run.Error, StringComparison.Ordinal);
        Assert.Contains("--profile NAME", run.Error, StringComparison.Ordinal);
        Assert.Contains("opt-in region", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(CliHarness.AccessKey, run.Error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Output);
    }

    /// <summary>
    /// The explanation is the source region's: a destination's refusal of a key must not be read as it. A destination
    /// of another partition whose DESTINATION_CREDENTIALS key ECR there does not know (deleted, or a commercial key
    /// stored by mistake): sync reports it as that destination's failure naming the parameter, and the dry run, which
    /// stops on a destination's read error, and verify, which reports it unreadable, must not tell the operator that the source region does not know the CLI's
    /// own key and to change --profile: that key works, and the fix is the parameter.
    /// </summary>
    [Theory]
    [InlineData("sync", "--dry-run")]
    [InlineData("sync", null)]
    [InlineData("verify", null)]
    public async Task A_destinations_refusal_of_its_stored_key_is_never_explained_as_the_source_regions(string command, string? mode)
    {
        await using var moto = await MotoServer.StartAsync();
        await moto.PutSecureStringAsync(CliHarness.Source, "/cli/cn-keys", """{"AccessKeyId": "AKIAUNKNOWNCHINA0001", "SecretAccessKey": "unknown-china/secret"}""");
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(72), "v1");
        var environment = h.Environment(("DESTINATION_CREDENTIALS", "cn-north-1=ssm:/cli/cn-keys"), ("AWS_ENDPOINT_URL_SSM", moto.Endpoint.AbsoluteUri));
        string[] args = [command, "--source-region", CliHarness.Source, "--destination-region", "cn-north-1"];

        var run = await h.RunWithAsync(environment, null, mode is null ? args : [.. args, mode]);

        var text = run.Output + run.Error;
        Assert.True(run.ExitCode is 1 or 2, run.ToString());
        Assert.Contains("UnrecognizedClientException", text, StringComparison.Ordinal);
        // Every command names the parameter whose key was refused: verify's unreadable reason as sync's failure does.
        Assert.True(text.Contains("/cli/cn-keys", StringComparison.Ordinal), run.ToString());
        Assert.Contains("cn-north-1", text, StringComparison.Ordinal);
        Assert.DoesNotContain($"ECR in {CliHarness.Source}", text, StringComparison.Ordinal);
        Assert.DoesNotContain("--profile", text, StringComparison.Ordinal);
        Assert.DoesNotContain("AKIAUNKNOWNCHINA0001", text, StringComparison.Ordinal);
        Assert.DoesNotContain("unknown-china/secret", text, StringComparison.Ordinal);
    }

    /// <summary>
    /// The same with a RoleArn in the parameter: its key signs the AssumeRole, and STS refuses it (InvalidClientTokenId,
    /// wrapped as DestinationCredentialsUnavailable). sync names the parameter (FailureClassifier.IsStoredKeyRefused reads
    /// the STS refusal inside); verify and the dry run must name it too.
    /// </summary>
    [Theory]
    [InlineData("sync", "--dry-run")]
    [InlineData("sync", null)]
    [InlineData("verify", null)]
    public async Task A_stored_key_that_STS_refuses_for_the_parameters_role_is_named_with_its_parameter(string command, string? mode)
    {
        await using var moto = await MotoServer.StartAsync();
        await moto.PutSecureStringAsync(
            CliHarness.Source,
            "/cli/cn-role-keys",
            """{"AccessKeyId": "AKIAUNKNOWNCHINA0002", "SecretAccessKey": "unknown-china/secret", "RoleArn": "arn:aws-cn:iam::222222222222:role/ecr-replicator-destination"}""");
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(72), "v1");
        var environment = h.Environment(
            ("DESTINATION_CREDENTIALS", "cn-north-1=ssm:/cli/cn-role-keys"),
            ("AWS_ENDPOINT_URL_SSM", moto.Endpoint.AbsoluteUri),
            ("AWS_ENDPOINT_URL_STS", h.Server.BaseAddress.ToString()));
        string[] args = [command, "--source-region", CliHarness.Source, "--destination-region", "cn-north-1"];

        var run = await h.RunWithAsync(environment, null, mode is null ? args : [.. args, mode]);

        var text = run.Output + run.Error;
        Assert.True(run.ExitCode is 1 or 2, run.ToString());
        Assert.Contains("InvalidClientTokenId", text, StringComparison.Ordinal);
        Assert.True(text.Contains("/cli/cn-role-keys", StringComparison.Ordinal), run.ToString());
        Assert.DoesNotContain("--profile", text, StringComparison.Ordinal);
        Assert.DoesNotContain("AKIAUNKNOWNCHINA0002", text, StringComparison.Ordinal);
        Assert.DoesNotContain("unknown-china/secret", text, StringComparison.Ordinal);
    }
}
