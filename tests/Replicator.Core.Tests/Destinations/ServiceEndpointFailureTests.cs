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
        using var store = new SsmParameterStore(DictionaryEnvironmentVariables.Of(new Dictionary<string, string> { ["AWS_ENDPOINT_URL_SSM"] = endpoint.ToString() }), "us-east-1", Caller);

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
}
