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
    public void Without_an_override_the_endpoint_is_named_by_service_and_region() =>
        Assert.Equal("the STS endpoint of eu-west-1", ServiceFailures.DescribeEndpoint("STS", null, "eu-west-1"));
}
