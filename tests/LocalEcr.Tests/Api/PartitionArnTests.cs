using System.Text.Json.Nodes;
using LocalEcr.Tests.Support;

namespace LocalEcr.Tests.Api;

/// <summary>
/// ARNs, repository URIs and registry hosts carry the partition of the region, as botocore/data/partitions.json
/// assigns it; the account that signs belongs to that partition (its key is unknown in the others).
/// </summary>
public sealed class PartitionArnTests
{
    [Theory]
    [InlineData("us-east-1", "aws", "amazonaws.com")]
    [InlineData("cn-northwest-1", "aws-cn", "amazonaws.com.cn")]
    [InlineData("us-gov-west-1", "aws-us-gov", "amazonaws.com")]
    [InlineData("us-iso-east-1", "aws-iso", "c2s.ic.gov")]
    [InlineData("us-isob-east-1", "aws-iso-b", "sc2s.sgov.gov")]
    [InlineData("eu-isoe-west-1", "aws-iso-e", "cloud.adc-e.uk")]
    [InlineData("us-isof-south-1", "aws-iso-f", "csp.hci.ic.gov")]
    [InlineData("eusc-de-east-1", "aws-eusc", "amazonaws.eu")]
    public async Task Repository_arn_and_uri_use_the_region_partition(string region, string partition, string dnsSuffix)
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { AccountId = "123456789012", Partition = partition });
        using var client = new EcrTestClient(server, region);
        var repository = (await client.CallAsync("CreateRepository", new JsonObject { ["repositoryName"] = "team/app" })).EnsureOk().Json["repository"]!;
        var token = (await client.CallAsync("GetAuthorizationToken")).EnsureOk().Json["authorizationData"]![0]!;

        var arn = $"arn:{partition}:ecr:{region}:123456789012:repository/team/app";
        Assert.Equal(arn, repository["repositoryArn"]!.GetValue<string>());
        Assert.Equal($"123456789012.dkr.ecr.{region}.{dnsSuffix}/team/app", repository["repositoryUri"]!.GetValue<string>());
        Assert.Equal($"https://123456789012.dkr.ecr.{region}.{dnsSuffix}", token["proxyEndpoint"]!.GetValue<string>());

        // Tagging takes the ARN back: one of another partition names no repository here.
        (await client.CallAsync("ListTagsForResource", new JsonObject { ["resourceArn"] = arn })).EnsureOk();
        var wrong = partition == "aws" ? "aws-cn" : "aws";
        var refused = await client.CallAsync("ListTagsForResource", new JsonObject { ["resourceArn"] = $"arn:{wrong}:ecr:{region}:123456789012:repository/team/app" });
        Assert.NotNull(refused.ErrorCode);
    }

    [Theory]
    [InlineData("cn-north-1", "aws-cn")]
    [InlineData("us-gov-west-1", "aws-us-gov")]
    [InlineData("eusc-de-east-1", "aws-eusc")]
    public async Task Another_account_named_in_an_AccessDenied_message_is_named_in_the_caller_partition(string region, string partition)
    {
        var options = new LocalEcrOptions { AccountId = "123456789012", Partition = partition };
        options.OtherAccounts.Add(new LocalEcrAccount("210987654321", "AKIAOTHER", "other", partition));
        await using var server = await LocalEcrServer.StartAsync(options);
        using var client = new EcrTestClient(server, region);

        var refused = await client.CallAsync("DescribeImages", new JsonObject { ["registryId"] = "210987654321", ["repositoryName"] = "team/app" });

        refused.AssertError("AccessDeniedException");
        var message = refused.Json["message"]!.GetValue<string>();
        Assert.Contains($"arn:{partition}:iam::123456789012:user/localecr", message, StringComparison.Ordinal);
        Assert.Contains($"arn:{partition}:ecr:{region}:210987654321:repository/team/app", message, StringComparison.Ordinal);
        Assert.DoesNotContain("arn:aws:", message, StringComparison.Ordinal);
    }
}
