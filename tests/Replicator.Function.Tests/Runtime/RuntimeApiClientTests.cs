using Replicator.Function.Runtime;

namespace Replicator.Function.Tests.Runtime;

public sealed class RuntimeApiClientTests
{
    /// <summary>
    /// HTTP_PROXY, set for the function's calls to ECR, must not carry the Runtime API's: .NET's default handler sent
    /// GET next to the proxy, and the function never served an invocation. The proxy is read from the environment once
    /// per process (HttpClient.DefaultProxy), so a test cannot set it for one client; the handler is what decides.
    /// </summary>
    [Fact]
    public void The_Runtime_API_is_never_called_through_a_proxy()
    {
        using var handler = RuntimeApiClient.CreateHandler();

        Assert.False(handler.UseProxy);
    }
}
