using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Replicator.Core.Destinations;
using Replicator.Core.Errors;
using Replicator.Core.Signing;
using Replicator.Testing;

namespace Replicator.Core.Tests.Destinations;

/// <summary>
/// STS and SSM refuse the replicator's own credentials as expired (STS's <c>ExpiredToken</c>, SSM's
/// <c>ExpiredTokenException</c>): those credentials are dropped once (only the set the call was signed with) and the call
/// is made once more with what the source hands out then, as the ECR client does for its own calls. AWSSDK.Core does
/// not do it (it retries no expired-token code), and the source's cache would otherwise hand the refused set out again.
/// </summary>
public sealed class ExpiredCallerTokenTests
{
    private const string Role = "arn:aws:iam::222222222222:role/writer";

    [Fact]
    public async Task An_AssumeRole_refused_as_expired_renews_the_callers_credentials_once_and_asks_again()
    {
        await using var sts = await FakeService.StartAsync(expiredKeys: ["AKIDEXPIRED"], StsExpired, StsIssued);
        var caller = new RotatingCredentials("AKIDEXPIRED", "AKIDFRESH");
        var service = new StsSecurityTokenService(Environment("AWS_ENDPOINT_URL_STS", sts.Endpoint));

        var session = await service.AssumeRoleAsync(Role, null, "us-west-2", caller, CancellationToken.None);

        Assert.Equal("ASIAISSUED0000000001", session.Credentials.AccessKeyId);
        Assert.Equal(["AKIDEXPIRED", "AKIDFRESH"], sts.SignedWith);
        Assert.Equal(["AKIDEXPIRED"], caller.Invalidated);
    }

    [Fact]
    public async Task A_second_expired_token_from_STS_is_the_callers_transient_failure()
    {
        await using var sts = await FakeService.StartAsync(expiredKeys: ["AKIDEXPIRED", "AKIDSTILLEXPIRED"], StsExpired, StsIssued);
        var caller = new RotatingCredentials("AKIDEXPIRED", "AKIDSTILLEXPIRED", "AKIDNEVERUSED");
        var service = new StsSecurityTokenService(Environment("AWS_ENDPOINT_URL_STS", sts.Endpoint));

        var ex = await Assert.ThrowsAsync<ReplicationException>(() => service.AssumeRoleAsync(Role, null, "us-west-2", caller, CancellationToken.None));

        Assert.True(ex.IsTransient);
        Assert.StartsWith($"could not assume role {Role}: ExpiredToken", ex.Message, StringComparison.Ordinal);
        Assert.Equal(["AKIDEXPIRED", "AKIDSTILLEXPIRED"], sts.SignedWith);
        Assert.Equal(["AKIDEXPIRED"], caller.Invalidated);
    }

    [Fact]
    public async Task A_GetParameter_refused_as_expired_renews_the_callers_credentials_once_and_reads_again()
    {
        await using var ssm = await FakeService.StartAsync(expiredKeys: ["AKIDEXPIRED"], SsmExpired, SsmValue);
        var caller = new RotatingCredentials("AKIDEXPIRED", "AKIDFRESH");
        var store = new SsmParameterStore(Environment("AWS_ENDPOINT_URL_SSM", ssm.Endpoint), "us-east-1", caller);

        var value = await store.GetSecureStringAsync("/replicator/china", CancellationToken.None);

        Assert.Equal("the-value", value);
        Assert.Equal(["AKIDEXPIRED", "AKIDFRESH"], ssm.SignedWith);
        Assert.Equal(["AKIDEXPIRED"], caller.Invalidated);
    }

    [Fact]
    public async Task A_second_expired_token_from_SSM_is_the_callers_transient_failure()
    {
        await using var ssm = await FakeService.StartAsync(expiredKeys: ["AKIDEXPIRED", "AKIDSTILLEXPIRED"], SsmExpired, SsmValue);
        var caller = new RotatingCredentials("AKIDEXPIRED", "AKIDSTILLEXPIRED", "AKIDNEVERUSED");
        var store = new SsmParameterStore(Environment("AWS_ENDPOINT_URL_SSM", ssm.Endpoint), "us-east-1", caller);

        var ex = await Assert.ThrowsAsync<ReplicationException>(() => store.GetSecureStringAsync("/replicator/china", CancellationToken.None));

        Assert.True(ex.IsTransient);
        Assert.StartsWith("could not read SSM parameter /replicator/china: ExpiredTokenException", ex.Message, StringComparison.Ordinal);
        Assert.Equal(["AKIDEXPIRED", "AKIDSTILLEXPIRED"], ssm.SignedWith);
        Assert.Equal(["AKIDEXPIRED"], caller.Invalidated);
    }

    private static DictionaryEnvironmentVariables Environment(string variable, Uri endpoint) =>
        DictionaryEnvironmentVariables.Of(new Dictionary<string, string> { [variable] = endpoint.ToString() });

    private static async Task StsExpired(HttpResponse response)
    {
        response.StatusCode = 400;
        response.ContentType = "text/xml";
        await response.WriteAsync("""<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message></Error><RequestId>1</RequestId></ErrorResponse>""");
    }

    private static async Task StsIssued(HttpResponse response)
    {
        response.ContentType = "text/xml";
        await response.WriteAsync("""<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIAISSUED0000000001</AccessKeyId><SecretAccessKey>issued/secret</SecretAccessKey><SessionToken>issued-token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult><ResponseMetadata><RequestId>2</RequestId></ResponseMetadata></AssumeRoleResponse>""");
    }

    private static async Task SsmExpired(HttpResponse response)
    {
        response.StatusCode = 400;
        response.ContentType = "application/x-amz-json-1.1";
        await response.WriteAsync("""{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}""");
    }

    private static async Task SsmValue(HttpResponse response)
    {
        response.ContentType = "application/x-amz-json-1.1";
        await response.WriteAsync("""{"Parameter":{"Name":"/replicator/china","Type":"SecureString","Value":"the-value","Version":1}}""");
    }

    /// <summary>Answers a request signed with one of <c>expiredKeys</c> as expired, any other with success; records the key of each.</summary>
    private sealed class FakeService : IAsyncDisposable
    {
        private readonly ConcurrentQueue<string> _signedWith = new();
        private LoopbackApp? _app;

        public Uri Endpoint => _app!.Endpoint;

        public IReadOnlyList<string> SignedWith => [.. _signedWith];

        public static async Task<FakeService> StartAsync(string[] expiredKeys, Func<HttpResponse, Task> expired, Func<HttpResponse, Task> success)
        {
            var service = new FakeService();
            service._app = await LoopbackApp.StartAsync(async context =>
            {
                // Authorization: AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/SERVICE/aws4_request, ...
                var authorization = context.Request.Headers.Authorization.ToString();
                var start = authorization.IndexOf("Credential=", StringComparison.Ordinal) + "Credential=".Length;
                var key = authorization[start..authorization.IndexOf('/', start)];
                service._signedWith.Enqueue(key);
                await (expiredKeys.Contains(key) ? expired(context.Response) : success(context.Response));
            });
            return service;
        }

        public ValueTask DisposeAsync() => _app!.DisposeAsync();
    }

    /// <summary>Hands out the first key until that set is invalidated, then the next, as a refreshing source would.</summary>
    private sealed class RotatingCredentials(params string[] keys) : IAwsCredentialsSource
    {
        private readonly Lock _gate = new();
        private readonly List<string> _invalidated = [];
        private int _index;
        private AwsCredentials _current = new(keys[0], "secret-" + keys[0]);

        public IReadOnlyList<string> Invalidated
        {
            get
            {
                lock (_gate)
                {
                    return [.. _invalidated];
                }
            }
        }

        public ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                return ValueTask.FromResult(_current);
            }
        }

        public void Invalidate() => throw new InvalidOperationException("only the set that was refused is invalidated");

        public void Invalidate(AwsCredentials used)
        {
            lock (_gate)
            {
                if (ReferenceEquals(used, _current))
                {
                    _invalidated.Add(used.AccessKeyId);
                    _index++;
                    _current = new AwsCredentials(keys[_index], "secret-" + keys[_index]);
                }
            }
        }
    }
}
