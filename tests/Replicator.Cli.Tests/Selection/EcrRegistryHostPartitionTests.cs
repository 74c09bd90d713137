using Replicator.Cli.Composition;
using Replicator.Cli.Selection;
using Replicator.Cli.Tests.Support;

namespace Replicator.Cli.Tests.Selection;

/// <summary>
/// A registry host names a region, and the region one partition (botocore's partitions.json regionRegex), whose suffix
/// the host must end in: <c>amazonaws.com.cn</c> for cn-*, <c>c2s.ic.gov</c> for us-iso-*, and so on, with
/// <c>dkr.ecr</c> under the partition's DNS suffix and dual-stack <c>dkr-ecr</c> under <c>on.aws</c>
/// (<c>on.amazonwebservices.com.cn</c> in China; https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-requests.html).
/// Before, any known suffix went with any region and either form, so a host no registry has read as the region it
/// seemed to name, and copy and verify went on in that region.
/// </summary>
public sealed class EcrRegistryHostPartitionTests
{
    [Theory]
    [InlineData("123456789012.dkr.ecr.cn-north-1.amazonaws.com", "cn-north-1 is a region of the aws-cn partition, whose registry hosts are ACCOUNT.dkr.ecr.cn-north-1.amazonaws.com.cn, or dual-stack ACCOUNT.dkr-ecr.cn-north-1.on.amazonwebservices.com.cn")]
    [InlineData("123456789012.dkr.ecr.us-east-1.amazonaws.com.cn", "us-east-1 is a region of the aws partition, whose registry hosts are ACCOUNT.dkr.ecr.us-east-1.amazonaws.com, or dual-stack ACCOUNT.dkr-ecr.us-east-1.on.aws")]
    [InlineData("123456789012.dkr.ecr.us-iso-east-1.amazonaws.com", "us-iso-east-1 is a region of the aws-iso partition, whose registry hosts are ACCOUNT.dkr.ecr.us-iso-east-1.c2s.ic.gov")]
    [InlineData("123456789012.dkr.ecr.us-isob-east-1.c2s.ic.gov", "us-isob-east-1 is a region of the aws-iso-b partition")]
    [InlineData("123456789012.dkr.ecr.eusc-de-east-1.amazonaws.com", "eusc-de-east-1 is a region of the aws-eusc partition, whose registry hosts are ACCOUNT.dkr.ecr.eusc-de-east-1.amazonaws.eu")]
    [InlineData("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.eu", "us-gov-west-1 is a region of the aws-us-gov partition")]
    [InlineData("123456789012.dkr-ecr.us-east-1.amazonaws.com", "us-east-1 is a region of the aws partition")]
    [InlineData("123456789012.dkr.ecr.us-east-1.on.aws", "us-east-1 is a region of the aws partition")]
    [InlineData("123456789012.dkr-ecr.cn-north-1.on.aws", "cn-north-1 is a region of the aws-cn partition")]
    [InlineData("123456789012.dkr-ecr.eu-west-1.on.amazonwebservices.com.cn", "eu-west-1 is a region of the aws partition")]
    [InlineData("123456789012.dkr-ecr.us-iso-east-1.on.aws", "us-iso-east-1 is a region of the aws-iso partition")]
    public void A_host_whose_suffix_is_not_its_regions_partitions_is_refused_by_name(string host, string why)
    {
        var error = Assert.Throws<UsageException>(() => EcrRegistryHost.Parse(host));

        Assert.StartsWith($"'{host}' is not an Amazon ECR registry host: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("123456789012.dkr.ecr.eu-isoe-west-1.cloud.adc-e.uk", "eu-isoe-west-1")]
    [InlineData("123456789012.dkr.ecr.us-isof-south-1.csp.hci.ic.gov", "us-isof-south-1")]
    [InlineData("123456789012.dkr-ecr-fips.us-gov-east-1.on.aws", "us-gov-east-1")]
    [InlineData("123456789012.dkr-ecr-fips.cn-north-1.on.amazonwebservices.com.cn", "cn-north-1")]
    public void Each_partitions_own_hosts_are_still_read(string host, string region)
    {
        Assert.Equal(region, EcrRegistryHost.Parse(host)?.Region);
    }

    [Fact]
    public async Task Copy_refuses_an_image_uri_of_a_host_no_registry_has_and_copies_nothing()
    {
        // us-east-1 under the China suffix: before, read as the us-east-1 registry (the source), and copied.
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "team/app", CliHarness.Single(311), "1.0");

        var run = await h.RunAsync("copy", "000000000000.dkr.ecr.us-east-1.amazonaws.com.cn/team/app:1.0", "--destination-region", CliHarness.West);

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError("'000000000000.dkr.ecr.us-east-1.amazonaws.com.cn' is not an Amazon ECR registry host: us-east-1 is a region of the aws partition");
        Assert.Equal(0, h.WritesTo(CliHarness.West));
    }

    [Fact]
    public async Task Verify_refuses_a_repository_uri_of_a_host_no_registry_has()
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "team/app", CliHarness.Single(312), "1.0");

        var run = await h.RunAsync("verify", "--repository", "000000000000.dkr-ecr.us-east-1.amazonaws.com/team/app", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError("'000000000000.dkr-ecr.us-east-1.amazonaws.com' is not an Amazon ECR registry host: us-east-1 is a region of the aws partition");
    }
}
