using Microsoft.Extensions.Time.Testing;
using Replicator.Core.Ecr;
using Replicator.Core.Signing;

namespace Replicator.Core.Tests;

internal static class TestClients
{
    public const string AccessKey = "AKIDEXAMPLE";
    public const string SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    public const string SessionToken = "SESSIONTOKEN/abc+def==";

    public static readonly DateTimeOffset Now = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);

    public static AwsCredentials SessionCredentials => new(AccessKey, SecretKey, SessionToken);

    public static AwsCredentials LongTermCredentials => new(AccessKey, SecretKey);

    public static EcrClient Create(
        HttpMessageHandler handler,
        AwsCredentials? credentials = null,
        string region = "eu-west-1",
        Uri? serviceUrl = null,
        TimeSpan? timeout = null,
        TimeProvider? time = null)
    {
        // No proxy: the handler is the test's and sends nowhere, so the machine's HTTPS_PROXY (HttpClient.DefaultProxy,
        // the default) must not make the client read a fake "no such host" as the proxy's, as it would behind one.
        var config = new EcrClientConfig(region) { ServiceUrl = serviceUrl, Timeout = timeout ?? EcrClientConfig.DefaultTimeout, Proxy = null };
        return new EcrClient(
            new HttpClient(handler),
            new StaticCredentialsSource(credentials ?? SessionCredentials),
            config,
            time ?? new FakeTimeProvider(Now));
    }
}
