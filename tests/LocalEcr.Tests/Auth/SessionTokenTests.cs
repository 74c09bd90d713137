using System.Net;
using LocalEcr.Tests.Support;

namespace LocalEcr.Tests.Auth;

/// <summary>
/// A long-term key is refused when it comes with a session token, and a temporary key without its own token, as AWS
/// refuses both with "The security token included in the request is invalid." The product must never send the
/// token of one credential with the key of another (a role's session mixed with the function's own keys).
/// </summary>
public sealed class SessionTokenTests
{
    private const string Token = "FwoGZXIvYXdzEXAMPLEFIXEDSESSIONTOKEN";

    [Fact]
    public async Task A_long_term_key_with_a_session_token_is_an_invalid_token()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var plain = new EcrTestClient(server);
        using var mixed = new EcrTestClient(server) { SessionToken = Token };

        (await plain.CallAsync("DescribeRepositories")).EnsureOk();
        var refused = await mixed.CallAsync("DescribeRepositories");

        refused.AssertError("UnrecognizedClientException", HttpStatusCode.BadRequest);
        Assert.Equal("The security token included in the request is invalid.", refused.Json["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_temporary_key_is_accepted_only_with_its_own_token()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { AccessKey = "ASIATEMPORARYKEY0001", SessionToken = Token });
        using var withToken = new EcrTestClient(server, accessKey: "ASIATEMPORARYKEY0001") { SessionToken = Token };
        using var without = new EcrTestClient(server, accessKey: "ASIATEMPORARYKEY0001");
        using var otherToken = new EcrTestClient(server, accessKey: "ASIATEMPORARYKEY0001") { SessionToken = Token + "x" };

        (await withToken.CallAsync("DescribeRepositories")).EnsureOk();
        (await without.CallAsync("DescribeRepositories")).AssertError("UnrecognizedClientException", HttpStatusCode.BadRequest);
        (await otherToken.CallAsync("DescribeRepositories")).AssertError("UnrecognizedClientException", HttpStatusCode.BadRequest);
    }
}
