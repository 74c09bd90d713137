using Amazon.SimpleSystemsManagement.Model;
using Replicator.Testing;

namespace Replicator.Function.Tests.Support;

/// <summary>The moto helper the SQS and SSM tests share: each instance is its own process, never another test's.</summary>
public sealed class MotoServerTests
{
    [Fact]
    public async Task Two_servers_started_at_once_are_two_processes_with_their_own_state()
    {
        // Started together, as test classes run in parallel: each must end up on the port its own process bound.
        var starting = new[] { MotoServer.StartAsync(), MotoServer.StartAsync() };
        await using var first = await starting[0];
        await using var second = await starting[1];

        Assert.NotEqual(first.Endpoint, second.Endpoint);
        await first.PutSecureStringAsync("us-east-1", "/moto-server-tests/first", "only in the first");
        using var ssm = second.SsmClient("us-east-1");
        await Assert.ThrowsAsync<ParameterNotFoundException>(() => ssm.GetParameterAsync(new GetParameterRequest { Name = "/moto-server-tests/first", WithDecryption = true }));
    }
}
