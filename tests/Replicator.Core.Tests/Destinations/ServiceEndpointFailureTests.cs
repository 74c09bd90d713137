using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Replicator.Core.Destinations;
using Replicator.Core.Errors;
using Replicator.Core.Replication;
using Replicator.Core.Signing;
using Replicator.Testing;

namespace Replicator.Core.Tests.Destinations;

/// <summary>
/// When STS or SSM cannot be reached, the error names the endpoint (host and port, never secrets), as the ECR client's
/// does: what an operator needs to find a wrong AWS_ENDPOINT_URL_* or a blocked path to a VPC endpoint.
/// </summary>
public sealed class ServiceEndpointFailureTests
{
    private static readonly StaticCredentialsSource Caller = new(new AwsCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"));

    [Fact]
    public async Task An_unreachable_STS_endpoint_is_named_in_a_transient_error()
    {
        using var closed = new ClosedPort();
        var endpoint = closed.Endpoint;
        var sts = new StsSecurityTokenService(DictionaryEnvironmentVariables.Of(new Dictionary<string, string> { ["AWS_ENDPOINT_URL_STS"] = endpoint.ToString() }));

        var ex = await Assert.ThrowsAsync<ReplicationException>(() => sts.AssumeRoleAsync("arn:aws:iam::222222222222:role/writer", null, "us-west-2", Caller, CancellationToken.None));

        Assert.Equal(ReplicationErrorCodes.DestinationCredentialsUnavailable, ex.ErrorCode);
        Assert.True(ex.IsTransient);
        Assert.Equal($"could not assume role arn:aws:iam::222222222222:role/writer: the STS endpoint {endpoint.Authority} could not be reached", ex.Message);
        Assert.DoesNotContain("wJalrXUtnFEMI", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_SSM_endpoint_is_named_in_a_transient_error()
    {
        using var closed = new ClosedPort();
        var endpoint = closed.Endpoint;
        var store = new SsmParameterStore(DictionaryEnvironmentVariables.Of(new Dictionary<string, string> { ["AWS_ENDPOINT_URL_SSM"] = endpoint.ToString() }), "us-east-1", Caller);

        var ex = await Assert.ThrowsAsync<ReplicationException>(() => store.GetSecureStringAsync("/replicator/china", CancellationToken.None));

        Assert.True(ex.IsTransient);
        Assert.Equal($"could not read SSM parameter /replicator/china: the SSM endpoint {endpoint.Authority} could not be reached", ex.Message);
    }

    [Fact]
    public async Task Credentials_that_cannot_be_resolved_are_reported_as_such_not_as_an_unreachable_endpoint()
    {
        using var closed = new ClosedPort();
        var sts = new StsSecurityTokenService(DictionaryEnvironmentVariables.Of(new Dictionary<string, string> { ["AWS_ENDPOINT_URL_STS"] = closed.Endpoint.ToString() }));
        var caller = new FailingCredentials(new AmazonClientException("Failed to resolve AWS credentials. The credential providers used to search for credentials returned the following errors:\nException 1 of 1:\nno profile"));

        var ex = await Assert.ThrowsAsync<ReplicationException>(() => sts.AssumeRoleAsync("arn:aws:iam::222222222222:role/writer", null, "us-west-2", caller, CancellationToken.None));

        Assert.StartsWith("could not assume role arn:aws:iam::222222222222:role/writer: AmazonClientException: Failed to resolve AWS credentials.", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("could not be reached", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TransportFailures))]
    public void A_transport_failure_inside_the_sdk_exception_is_an_unreachable_endpoint(Exception failure)
    {
        var ex = ServiceFailures.Wrap(failure, "read SSM parameter /p", "the SSM endpoint of us-east-1", CancellationToken.None);

        Assert.True(ex.IsTransient);
        Assert.Equal("could not read SSM parameter /p: the SSM endpoint of us-east-1 could not be reached", ex.Message);
    }

    public static TheoryData<Exception> TransportFailures() => new()
    {
        new HttpRequestException("Connection refused", new SocketException((int)SocketError.ConnectionRefused)),
        new AmazonClientException("An error occurred", new HttpRequestException("Connection refused", new SocketException((int)SocketError.ConnectionRefused))),
        new AmazonClientException("An error occurred", new IOException("Unable to read data from the transport connection")),
        new AmazonClientException("An error occurred", new SocketException((int)SocketError.HostUnreachable)),
    };

    /// <summary>
    /// A call the caller cancelled (the function's deadline, the CLI's Ctrl+C) ends as a cancellation naming what it was
    /// doing, with the caller's token: not as a transient DestinationCredentialsUnavailable, which would count the
    /// destination as failed and its message as one to retry.
    /// </summary>
    [Fact]
    public void A_call_the_caller_cancelled_is_a_cancellation_not_a_credentials_failure()
    {
        using var stop = new CancellationTokenSource();
        stop.Cancel();

        var ex = Assert.Throws<OperationCanceledException>(() => ServiceFailures.Wrap(new TaskCanceledException("A task was canceled."), "assume role arn:aws:iam::222222222222:role/writer", "the STS endpoint of us-west-2", stop.Token));

        Assert.Equal(stop.Token, ex.CancellationToken);
        Assert.Equal("cancelled while trying to assume role arn:aws:iam::222222222222:role/writer", ex.Message);
    }

    /// <summary>
    /// The same cancellation without the caller's asking is the SDK's own timeout: a transient failure that says the
    /// request timed out, so the message is retried rather than dropped as cancelled.
    /// </summary>
    [Theory]
    [MemberData(nameof(Timeouts))]
    public void A_timeout_the_caller_did_not_ask_for_is_a_transient_failure_saying_so(Exception timeout)
    {
        var ex = ServiceFailures.Wrap(timeout, "read SSM parameter /p", "the SSM endpoint of us-east-1", CancellationToken.None);

        Assert.Equal(ReplicationErrorCodes.DestinationCredentialsUnavailable, ex.ErrorCode);
        Assert.True(ex.IsTransient);
        Assert.Equal("could not read SSM parameter /p: the request timed out", ex.Message);
    }

    public static TheoryData<Exception> Timeouts() => new()
    {
        new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 20 seconds elapsing.", new TimeoutException()),
        new TimeoutException("The operation has timed out."),
    };

    [Theory]
    [InlineData("ThrottleException", HttpStatusCode.BadRequest, true)] // the shared rule's own addition, once missing here
    [InlineData("ThrottlingException", HttpStatusCode.BadRequest, true)]
    [InlineData("IDPCommunicationError", HttpStatusCode.BadRequest, true)]
    [InlineData("InternalServerError", HttpStatusCode.BadRequest, true)]
    [InlineData("ExpiredTokenException", HttpStatusCode.BadRequest, true)]
    [InlineData(null, HttpStatusCode.ServiceUnavailable, true)]
    [InlineData("ParameterNotFound", HttpStatusCode.BadRequest, false)]
    [InlineData("AccessDenied", HttpStatusCode.Forbidden, false)]
    public void An_STS_or_SSM_error_is_transient_by_the_shared_AWS_rule_or_by_their_own_codes(string? code, HttpStatusCode status, bool transient)
    {
        var ex = ServiceFailures.Wrap(new AmazonServiceException("refused") { ErrorCode = code, StatusCode = status }, "read SSM parameter /p", "the SSM endpoint of us-east-1", CancellationToken.None);

        Assert.Equal(transient, ex.IsTransient);
    }

    [Fact]
    public void Without_an_override_the_endpoint_is_named_by_service_and_region() =>
        Assert.Equal("the STS endpoint of eu-west-1", ServiceFailures.DescribeEndpoint("STS", null, "eu-west-1"));

    private sealed class FailingCredentials(Exception failure) : IAwsCredentialsSource
    {
        public ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken) => ValueTask.FromException<AwsCredentials>(failure);
    }

    /// <summary>
    /// AWS_USE_FIPS_ENDPOINT as the injected environment says, not as the process's: the ECR client's reading, so one
    /// setting picks every client's endpoints, and the host a DNS failure is blamed on is the one called.
    /// </summary>
    [Theory]
    [InlineData("true", "sts-fips.eu-west-1.amazonaws.com")]
    [InlineData("false", "sts.eu-west-1.amazonaws.com")]
    public void STS_is_called_on_the_FIPS_endpoint_the_environment_asks_for(string useFips, string host)
    {
        var sts = new StsSecurityTokenService(DictionaryEnvironmentVariables.Of(new Dictionary<string, string> { ["AWS_USE_FIPS_ENDPOINT"] = useFips }));
        using var client = new Amazon.SecurityToken.AmazonSecurityTokenServiceClient(new BasicAWSCredentials("AKIDEXAMPLE", "secret"), sts.Config("eu-west-1"));

        Assert.Equal(host, new Uri(client.DetermineServiceOperationEndpoint(new Amazon.SecurityToken.Model.AssumeRoleRequest()).URL).Host);
    }

    /// <summary>
    /// A FIPS host STS does not have (its FIPS endpoints are in a few US regions; the SDK builds sts-fips.REGION for
    /// every region): DNS says no such host, and no retry can change that, so the destination fails permanently, naming
    /// the host and the setting, as the ECR client does. Retried, it waited out every receive as "could not be reached".
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_FIPS_host_that_does_not_exist_is_a_permanent_failure_naming_the_host_and_the_setting(bool wrappedBySdk)
    {
        Exception failure = NameResolution(SocketError.HostNotFound);
        if (wrappedBySdk)
        {
            failure = new AmazonClientException("request failed", failure);
        }

        var ex = ServiceFailures.Wrap(failure, "assume role arn:aws:iam::222222222222:role/writer", "the STS endpoint of eu-west-1", CancellationToken.None, "sts-fips.eu-west-1.amazonaws.com");

        Assert.False(ex.IsTransient);
        Assert.Equal(ReplicationErrorCodes.DestinationCredentialsUnavailable, ex.ErrorCode);
        Assert.Contains("host name sts-fips.eu-west-1.amazonaws.com does not exist", ex.Message, StringComparison.Ordinal);
        Assert.Contains("AWS_USE_FIPS_ENDPOINT", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SocketError.TryAgain, "sts-fips.us-east-1.amazonaws.com")] // the resolver could not answer now
    [InlineData(SocketError.HostNotFound, null)] // not a FIPS endpoint: an override, or FIPS off
    public void Other_name_resolution_failures_stay_transient(SocketError answer, string? fipsHost)
    {
        var ex = ServiceFailures.Wrap(NameResolution(answer), "assume role arn:aws:iam::222222222222:role/writer", "the STS endpoint of us-east-1", CancellationToken.None, fipsHost);

        Assert.True(ex.IsTransient);
        Assert.EndsWith("the STS endpoint of us-east-1 could not be reached", ex.Message, StringComparison.Ordinal);
    }

    private static HttpRequestException NameResolution(SocketError answer) =>
        new(HttpRequestError.NameResolutionError, "Name or service not known", new SocketException((int)answer));
}
