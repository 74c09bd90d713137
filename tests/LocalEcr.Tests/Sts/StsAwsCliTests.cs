using LocalEcr.Tests.Support;

namespace LocalEcr.Tests.Sts;

/// <summary>
/// The AWS CLI (botocore's STS model, query protocol and XML parser) against LocalEcr's STS: the temporary keys it
/// returns work as the role's account, with their token, and only there.
/// </summary>
public sealed class StsAwsCliTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("localecr-sts-");

    [Fact]
    public async Task AssumeRole_returns_keys_that_act_as_the_role_account()
    {
        var options = new LocalEcrOptions();
        options.OtherAccounts.Add(new LocalEcrAccount("222222222222", "AKIAOTHERACCOUNT0001", "other-secret"));
        await using var server = await LocalEcrServer.StartAsync(options);
        var sts = new AwsCliRunner(server, "us-west-2", _work.FullName) { Service = "sts" };

        var assumed = await sts.RunJsonAsync("assume-role", "--role-arn", "arn:aws:iam::222222222222:role/ecr-replicator-destination", "--role-session-name", "cli-test", "--duration-seconds", "900");
        var credentials = assumed["Credentials"]!;
        var session = new AwsCliRunner(server, "us-west-2", _work.FullName)
        {
            AccessKey = credentials["AccessKeyId"]!.GetValue<string>(),
            SecretKey = credentials["SecretAccessKey"]!.GetValue<string>(),
            SessionToken = credentials["SessionToken"]!.GetValue<string>(),
        };
        var identity = await new AwsCliRunner(server, "us-west-2", _work.FullName)
        {
            Service = "sts",
            AccessKey = session.AccessKey,
            SecretKey = session.SecretKey,
            SessionToken = session.SessionToken,
        }.RunJsonAsync("get-caller-identity");
        var created = await session.RunJsonAsync("create-repository", "--repository-name", "mirror/app");

        Assert.StartsWith("ASIA", session.AccessKey, StringComparison.Ordinal);
        Assert.Equal("arn:aws:sts::222222222222:assumed-role/ecr-replicator-destination/cli-test", assumed["AssumedRoleUser"]!["Arn"]!.GetValue<string>());
        Assert.Equal("222222222222", identity["Account"]!.GetValue<string>());
        Assert.Equal("arn:aws:ecr:us-west-2:222222222222:repository/mirror/app", created["repository"]!["repositoryArn"]!.GetValue<string>());
        Assert.Equal(["arn:aws:iam::222222222222:role/ecr-replicator-destination"], server.Calls.AssumedRoles);

        var withoutToken = await new AwsCliRunner(server, "us-west-2", _work.FullName) { AccessKey = session.AccessKey, SecretKey = session.SecretKey }
            .RunAsync("describe-repositories");
        Assert.NotEqual(0, withoutToken.ExitCode);
        Assert.Contains("UnrecognizedClientException", withoutToken.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_role_of_an_unknown_account_or_another_partition_is_refused()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        var sts = new AwsCliRunner(server, "us-west-2", _work.FullName) { Service = "sts" };

        var unknown = await sts.RunAsync("assume-role", "--role-arn", "arn:aws:iam::999999999999:role/x", "--role-session-name", "session");
        var china = await sts.RunAsync("assume-role", "--role-arn", "arn:aws-cn:iam::000000000000:role/x", "--role-session-name", "session");

        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("AccessDenied", unknown.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, china.ExitCode);
        Assert.Contains("AccessDenied", china.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, server.Calls.Count("us-west-2", "sts:AssumeRole"));
        Assert.Empty(server.Calls.AssumedRoles);
    }

    [Fact]
    public async Task The_caller_is_named_in_the_partition_of_the_request_and_a_session_works_in_its_own_only()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        var aws = new AwsCliRunner(server, "us-west-2", _work.FullName) { Service = "sts" };
        var china = new AwsCliRunner(server, "cn-north-1", _work.FullName) { Service = "sts" };

        var inAws = await aws.RunJsonAsync("get-caller-identity");
        var inChina = await china.RunJsonAsync("get-caller-identity");
        var assumed = await china.RunJsonAsync("assume-role", "--role-arn", $"arn:aws-cn:iam::{server.AccountId}:role/mirror", "--role-session-name", "cn");
        var credentials = assumed["Credentials"]!;
        AwsCliRunner Session(string region) => new(server, region, _work.FullName)
        {
            AccessKey = credentials["AccessKeyId"]!.GetValue<string>(),
            SecretKey = credentials["SecretAccessKey"]!.GetValue<string>(),
            SessionToken = credentials["SessionToken"]!.GetValue<string>(),
        };
        var home = await Session("cn-northwest-1").RunAsync("describe-repositories");
        var abroad = await Session("us-east-1").RunAsync("describe-repositories");

        Assert.Equal($"arn:aws:iam::{server.AccountId}:user/localecr", inAws["Arn"]!.GetValue<string>());
        Assert.Equal($"arn:aws-cn:iam::{server.AccountId}:user/localecr", inChina["Arn"]!.GetValue<string>());
        Assert.Equal($"arn:aws-cn:sts::{server.AccountId}:assumed-role/mirror/cn", assumed["AssumedRoleUser"]!["Arn"]!.GetValue<string>());
        Assert.True(home.ExitCode == 0, home.Stderr);
        Assert.NotEqual(0, abroad.ExitCode);
        Assert.Contains("UnrecognizedClientException", abroad.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _work.Delete(recursive: true);
}
