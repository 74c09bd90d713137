using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using LocalEcr.Tests.Support;

namespace LocalEcr.Tests.Auth;

/// <summary>
/// An account and its keys exist in one partition, as in AWS: a key signing for a region of another partition is
/// refused as an unknown key, before its signature or anything else is looked at.
/// </summary>
public sealed class PartitionKeyTests
{
    private const string ChinaAccount = "333333333333";
    private const string ChinaKey = "AKIACHINAUSER0000001";
    private const string ChinaSecret = "china/secret";

    [Theory]
    [InlineData("cn-north-1")]
    [InlineData("cn-northwest-1")]
    [InlineData("us-gov-west-1")]
    [InlineData("us-iso-east-1")]
    [InlineData("us-isob-east-1")]
    [InlineData("eu-isoe-west-1")]
    [InlineData("us-isof-south-1")]
    [InlineData("eusc-de-east-1")]
    public async Task A_key_of_aws_is_unknown_in_the_regions_of_every_other_partition(string region)
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var home = new EcrTestClient(server, "us-east-1");
        using var abroad = home.WithRegion(region);
        using var nobody = home.WithKeys("AKIANOBODY", "test");

        (await home.CallAsync("DescribeRepositories")).EnsureOk();
        var refused = await abroad.CallAsync("CreateRepository", new JsonObject { ["repositoryName"] = "app" });
        var unknown = await nobody.CallAsync("DescribeRepositories");

        refused.AssertError("UnrecognizedClientException", HttpStatusCode.BadRequest);
        Assert.Equal("The security token included in the request is invalid.", refused.Json["message"]!.GetValue<string>());
        Assert.Equal(unknown.Status, refused.Status);
        Assert.Equal(unknown.Body, refused.Body);
        Assert.Equal(0, server.Calls.Count(region, "CreateRepository"));
    }

    [Fact]
    public async Task A_key_of_aws_cn_works_in_china_only_and_its_account_is_named_there()
    {
        await using var server = await LocalEcrServer.StartAsync(ChinaServer());
        using var beijing = new EcrTestClient(server, "cn-north-1", ChinaKey, ChinaSecret);
        using var ningxia = beijing.WithRegion("cn-northwest-1");
        using var virginia = beijing.WithRegion("us-east-1");
        using var govCloud = beijing.WithRegion("us-gov-west-1");

        var created = (await beijing.CallAsync("CreateRepository", new JsonObject { ["repositoryName"] = "app" })).EnsureOk();
        (await ningxia.CallAsync("DescribeRepositories")).EnsureOk();
        var inVirginia = await virginia.CallAsync("DescribeRepositories");
        var inGovCloud = await govCloud.CallAsync("DescribeRepositories");

        Assert.Equal($"arn:aws-cn:ecr:cn-north-1:{ChinaAccount}:repository/app", created.Json["repository"]!["repositoryArn"]!.GetValue<string>());
        inVirginia.AssertError("UnrecognizedClientException", HttpStatusCode.BadRequest);
        inGovCloud.AssertError("UnrecognizedClientException", HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_key_of_another_partition_is_unknown_whatever_its_signature()
    {
        await using var server = await LocalEcrServer.StartAsync(ChinaServer());

        // Right secret or wrong, the key is not known in aws: AWS never reaches the signature check.
        using var rightSecret = new EcrTestClient(server, "us-east-1", ChinaKey, ChinaSecret);
        using var wrongSecret = rightSecret.WithKeys(ChinaKey, "not-the-secret");
        using var wrongSecretAtHome = wrongSecret.WithRegion("cn-north-1");
        var right = await rightSecret.CallAsync("DescribeRepositories");
        var wrong = await wrongSecret.CallAsync("DescribeRepositories");
        var wrongAtHome = await wrongSecretAtHome.CallAsync("DescribeRepositories");

        right.AssertError("UnrecognizedClientException", HttpStatusCode.BadRequest);
        wrong.AssertError("UnrecognizedClientException", HttpStatusCode.BadRequest);
        wrongAtHome.AssertError("InvalidSignatureException", HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Botocore_reads_the_refusal_as_ecr_and_sts_send_it()
    {
        await using var server = await LocalEcrServer.StartAsync(ChinaServer());

        // botocore's JSON and query parsers over the real answers: the code, and the HTTP status they carry.
        const string Script = """
            import json, sys
            import botocore.session
            from botocore.config import Config
            from botocore.exceptions import ClientError
            endpoint, key, secret = sys.argv[1:4]
            def call(service, region, operation):
                client = botocore.session.get_session().create_client(
                    service, region_name=region, endpoint_url=endpoint, aws_access_key_id=key,
                    aws_secret_access_key=secret, config=Config(retries={"total_max_attempts": 1}))
                try:
                    getattr(client, operation)()
                    return "ok"
                except ClientError as e:
                    return "%s %d" % (e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"])
            print(json.dumps([
                call("ecr", "us-east-1", "describe_repositories"),
                call("ecr", "cn-north-1", "describe_repositories"),
                call("sts", "us-east-1", "get_caller_identity"),
                call("sts", "cn-north-1", "get_caller_identity"),
            ]))
            """;
        var aws = await RunBotocoreAsync(Script, server.BaseAddress.GetLeftPart(UriPartial.Authority), "test", "test");
        var china = await RunBotocoreAsync(Script, server.BaseAddress.GetLeftPart(UriPartial.Authority), ChinaKey, ChinaSecret);

        Assert.Equal(["ok", "UnrecognizedClientException 400", "ok", "InvalidClientTokenId 403"], aws);
        Assert.Equal(["UnrecognizedClientException 400", "ok", "InvalidClientTokenId 403", "ok"], china);
    }

    private static LocalEcrOptions ChinaServer()
    {
        var options = new LocalEcrOptions();
        options.OtherAccounts.Add(new LocalEcrAccount(ChinaAccount, ChinaKey, ChinaSecret, "aws-cn"));
        return options;
    }

    private static async Task<string[]> RunBotocoreAsync(string script, string endpoint, string accessKey, string secretKey)
    {
        var start = new ProcessStartInfo("python3", ["-c", script, endpoint, accessKey, secretKey])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // botocore reads no profile, file or environment credential of the machine: every value is passed in. Nor its
        // proxy variables, which would send the call to the loopback endpoint to the proxy.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.OrdinalIgnoreCase)
            || k.ToUpperInvariant() is "HTTP_PROXY" or "HTTPS_PROXY" or "ALL_PROXY" or "NO_PROXY").ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["AWS_CONFIG_FILE"] = "/dev/null";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        using var python = Process.Start(start)!;
        var stdout = python.StandardOutput.ReadToEndAsync();
        var stderr = python.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await python.WaitForExitAsync(timeout.Token);
        Assert.True(python.ExitCode == 0, await stderr);
        return JsonNode.Parse(await stdout)!.AsArray().Select(n => n!.GetValue<string>()).ToArray();
    }
}
