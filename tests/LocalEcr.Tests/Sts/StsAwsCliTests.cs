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
    public async Task The_caller_is_named_in_its_account_partition_and_keys_and_sessions_work_there_only()
    {
        const string china = "333333333333";
        var options = new LocalEcrOptions();
        options.OtherAccounts.Add(new LocalEcrAccount(china, "AKIACHINAUSER0000001", "china/secret", "aws-cn"));
        await using var server = await LocalEcrServer.StartAsync(options);
        AwsCliRunner Aws(string region, string service) => new(server, region, _work.FullName) { Service = service };
        AwsCliRunner China(string region, string service) =>
            new(server, region, _work.FullName) { Service = service, AccessKey = "AKIACHINAUSER0000001", SecretKey = "china/secret" };

        var inAws = await Aws("us-west-2", "sts").RunJsonAsync("get-caller-identity");
        var inChina = await China("cn-north-1", "sts").RunJsonAsync("get-caller-identity");
        var awsKeyInChina = await Aws("cn-north-1", "sts").RunAsync("get-caller-identity");
        var awsKeyOnChinaEcr = await Aws("cn-northwest-1", "ecr").RunAsync("describe-repositories");
        var chinaKeyInAws = await China("us-east-1", "sts").RunAsync("get-caller-identity");
        var assumed = await China("cn-north-1", "sts").RunJsonAsync("assume-role", "--role-arn", $"arn:aws-cn:iam::{china}:role/mirror", "--role-session-name", "cn");
        var credentials = assumed["Credentials"]!;
        AwsCliRunner Session(string region) => new(server, region, _work.FullName)
        {
            AccessKey = credentials["AccessKeyId"]!.GetValue<string>(),
            SecretKey = credentials["SecretAccessKey"]!.GetValue<string>(),
            SessionToken = credentials["SessionToken"]!.GetValue<string>(),
        };
        var home = await Session("cn-northwest-1").RunJsonAsync("create-repository", "--repository-name", "mirror/app");
        var abroad = await Session("us-east-1").RunAsync("describe-repositories");

        Assert.Equal($"arn:aws:iam::{server.AccountId}:user/localecr", inAws["Arn"]!.GetValue<string>());
        Assert.Equal($"arn:aws-cn:iam::{china}:user/localecr", inChina["Arn"]!.GetValue<string>());
        Assert.Equal(china, inChina["Account"]!.GetValue<string>());
        Assert.NotEqual(0, awsKeyInChina.ExitCode);
        Assert.Contains("(InvalidClientTokenId)", awsKeyInChina.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, awsKeyOnChinaEcr.ExitCode);
        Assert.Contains("(UnrecognizedClientException)", awsKeyOnChinaEcr.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, chinaKeyInAws.ExitCode);
        Assert.Contains("(InvalidClientTokenId)", chinaKeyInAws.Stderr, StringComparison.Ordinal);
        Assert.Equal($"arn:aws-cn:sts::{china}:assumed-role/mirror/cn", assumed["AssumedRoleUser"]!["Arn"]!.GetValue<string>());
        Assert.Equal($"arn:aws-cn:ecr:cn-northwest-1:{china}:repository/mirror/app", home["repository"]!["repositoryArn"]!.GetValue<string>());
        Assert.NotEqual(0, abroad.ExitCode);
        Assert.Contains("(UnrecognizedClientException)", abroad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_role_is_assumable_only_in_its_account_partition()
    {
        const string china = "333333333333";
        var options = new LocalEcrOptions();
        options.OtherAccounts.Add(new LocalEcrAccount("222222222222", "AKIAOTHERACCOUNT0001", "other/secret"));
        options.OtherAccounts.Add(new LocalEcrAccount(china, "AKIACHINAUSER0000001", "china/secret", "aws-cn"));
        await using var server = await LocalEcrServer.StartAsync(options);
        var aws = new AwsCliRunner(server, "us-east-1", _work.FullName) { Service = "sts" };
        var inChina = new AwsCliRunner(server, "cn-north-1", _work.FullName) { Service = "sts", AccessKey = "AKIACHINAUSER0000001", SecretKey = "china/secret" };

        // An account id names an account of one partition: the same id under another partition's ARN is nobody's.
        var chinaAccountAsAws = await aws.RunAsync("assume-role", "--role-arn", $"arn:aws:iam::{china}:role/x", "--role-session-name", "session");
        var awsAccountAsChina = await inChina.RunAsync("assume-role", "--role-arn", "arn:aws-cn:iam::222222222222:role/x", "--role-session-name", "session");
        var own = await aws.RunJsonAsync("assume-role", "--role-arn", "arn:aws:iam::222222222222:role/x", "--role-session-name", "session");

        Assert.NotEqual(0, chinaAccountAsAws.ExitCode);
        Assert.Contains("(AccessDenied)", chinaAccountAsAws.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, awsAccountAsChina.ExitCode);
        Assert.Contains("(AccessDenied)", awsAccountAsChina.Stderr, StringComparison.Ordinal);
        Assert.Equal("arn:aws:sts::222222222222:assumed-role/x/session", own["AssumedRoleUser"]!["Arn"]!.GetValue<string>());
        Assert.Equal(["arn:aws:iam::222222222222:role/x"], server.Calls.AssumedRoles);
    }

    /// <summary>
    /// STS's patterns use \w as Java does, ASCII only: a session name is "upper- and lower-case alphanumeric characters
    /// with no spaces" and =,.@_- (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html), and so is an
    /// external id with :/ added, and IAM's role names are of the same letters, so no role with another can exist. .NET's
    /// \w takes every Unicode letter, and LocalEcr issued keys for all three where STS refuses; botocore checks no
    /// pattern, so the AWS CLI sends them as given.
    /// </summary>
    [Fact]
    public async Task Letters_outside_ASCII_are_refused_in_a_session_name_an_external_id_and_a_role_name()
    {
        var options = new LocalEcrOptions();
        options.OtherAccounts.Add(new LocalEcrAccount("222222222222", "AKIAOTHERACCOUNT0001", "other-secret"));
        await using var server = await LocalEcrServer.StartAsync(options);
        var sts = new AwsCliRunner(server, "us-west-2", _work.FullName) { Service = "sts" };
        const string Role = "arn:aws:iam::222222222222:role/ecr-replicator-destination";

        var sessionName = await sts.RunAsync("assume-role", "--role-arn", Role, "--role-session-name", "sesi\u00f3n");
        var externalId = await sts.RunAsync("assume-role", "--role-arn", Role, "--role-session-name", "session", "--external-id", "cliente-\u00e9");
        var roleName = await sts.RunAsync("assume-role", "--role-arn", "arn:aws:iam::222222222222:role/r\u00f4le", "--role-session-name", "session");
        var ascii = await sts.RunJsonAsync("assume-role", "--role-arn", Role, "--role-session-name", "session", "--external-id", "cliente-e");

        Assert.NotEqual(0, sessionName.ExitCode);
        Assert.Contains("(ValidationError)", sessionName.Stderr, StringComparison.Ordinal);
        Assert.Contains("roleSessionName", sessionName.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, externalId.ExitCode);
        Assert.Contains("(ValidationError)", externalId.Stderr, StringComparison.Ordinal);
        Assert.Contains("externalId", externalId.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, roleName.ExitCode);
        Assert.Contains("(AccessDenied)", roleName.Stderr, StringComparison.Ordinal);
        Assert.Equal("arn:aws:sts::222222222222:assumed-role/ecr-replicator-destination/session", ascii["AssumedRoleUser"]!["Arn"]!.GetValue<string>());
        Assert.Equal([Role], server.Calls.AssumedRoles);
    }

    public void Dispose() => _work.Delete(recursive: true);
}
