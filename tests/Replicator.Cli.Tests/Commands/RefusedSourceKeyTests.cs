using Replicator.Cli.Tests.Support;

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
}
