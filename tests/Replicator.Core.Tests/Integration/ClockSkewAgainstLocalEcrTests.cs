using LocalEcr;
using Microsoft.Extensions.Time.Testing;
using Replicator.Core.Ecr;
using Replicator.Core.Signing;

namespace Replicator.Core.Tests.Integration;

/// <summary>
/// The ECR client on a host whose clock is 20 minutes off LocalEcr's: LocalEcr refuses the first request as AWS does
/// ("Signature expired" / "Signature not yet current", dated on its own clock), the client corrects its clock from
/// that answer and the call succeeds; the next call is accepted the first time. LocalEcr counts refused signatures
/// apart from the calls it served.
/// </summary>
public sealed class ClockSkewAgainstLocalEcrTests
{
    private static readonly DateTimeOffset HostTime = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Theory]
    [InlineData(20)]
    [InlineData(-20)]
    public async Task A_host_clock_20_minutes_off_is_corrected_on_the_first_refusal_and_later_calls_go_through_first_time(int serverMinutesAhead)
    {
        var serverTime = new FakeTimeProvider(HostTime.AddMinutes(serverMinutesAhead));
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { Port = 0, TimeProvider = serverTime });
        using var http = new HttpClient();
        var client = new EcrClient(
            http, new StaticCredentialsSource(new AwsCredentials("test", "test")), new EcrClientConfig("us-east-1") { ServiceUrl = server.BaseAddress }, new FakeTimeProvider(HostTime));

        await client.CreateRepositoryAsync(new() { RepositoryName = "skewed" });

        Assert.Equal(1, server.Calls.Refusals(EcrErrorCodes.InvalidSignatureException));
        Assert.Equal(1, server.Calls.Count("us-east-1", "CreateRepository"));

        var described = await client.DescribeRepositoriesAsync(new() { RepositoryNames = ["skewed"] });

        Assert.Equal("skewed", Assert.Single(described.Repositories!).RepositoryName);
        Assert.Equal(1, server.Calls.Refusals(EcrErrorCodes.InvalidSignatureException));
        Assert.Equal(1, server.Calls.Count("us-east-1", "DescribeRepositories"));
    }

    [Fact]
    public async Task A_host_clock_that_jumps_again_is_corrected_again_by_the_next_call()
    {
        // After the first correction the host's clock jumps 40 minutes ahead (a step of NTP, a resumed VM): the next
        // call is signed 40 minutes off the server, refused, corrected from that answer, and goes through.
        var serverTime = new FakeTimeProvider(HostTime.AddMinutes(20));
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { Port = 0, TimeProvider = serverTime });
        using var http = new HttpClient();
        var hostTime = new FakeTimeProvider(HostTime);
        var client = new EcrClient(
            http, new StaticCredentialsSource(new AwsCredentials("test", "test")), new EcrClientConfig("us-east-1") { ServiceUrl = server.BaseAddress }, hostTime);

        await client.DescribeRepositoriesAsync(new());
        hostTime.Advance(TimeSpan.FromMinutes(40));
        await client.DescribeRepositoriesAsync(new());

        Assert.Equal(2, server.Calls.Refusals(EcrErrorCodes.InvalidSignatureException));
        Assert.Equal(2, server.Calls.Count("us-east-1", "DescribeRepositories"));
    }
}
