using Microsoft.AspNetCore.Http;
using Replicator.Core.Destinations;
using Replicator.Core.Errors;
using Replicator.Core.Signing;
using Replicator.Testing;

namespace Replicator.Core.Tests.Destinations;

/// <summary>
/// What GetParameter answers that is no usable DESTINATION_CREDENTIALS parameter, from a fake SSM endpoint
/// (AWS_ENDPOINT_URL_SSM) on loopback.
/// </summary>
public sealed class SsmParameterStoreTests
{
    private const string Name = "/replicator/china";

    private static readonly AwsCredentials Caller = new("AKIDEXAMPLE", "caller-secret");

    /// <summary>
    /// A String parameter holds the destination's secret key in plain text, readable by anyone with ssm:GetParameter
    /// and shown in the console: it is refused, permanently, and the refusal names the type, never the value it read.
    /// </summary>
    [Theory]
    [InlineData("String")]
    [InlineData("StringList")]
    public async Task A_parameter_that_is_not_a_SecureString_is_refused_without_its_value(string type)
    {
        await using var ssm = await LoopbackApp.StartAsync(context => Answer(context.Response, $$$"""{"Parameter":{"Name":"{{{Name}}}","Type":"{{{type}}}","Value":"{\"AccessKeyId\":\"AKIAPLAINTEXT\",\"SecretAccessKey\":\"plain-text-secret\"}","Version":1}}"""));
        var store = Store(ssm.Endpoint);

        var ex = await Assert.ThrowsAsync<ReplicationException>(() => store.GetSecureStringAsync(Name, CancellationToken.None));

        Assert.Equal(ReplicationErrorCodes.DestinationCredentialsUnavailable, ex.ErrorCode);
        Assert.False(ex.IsTransient);
        Assert.Equal($"SSM parameter {Name} must be a SecureString, not {type}", ex.Message);
        Assert.DoesNotContain("plain-text-secret", ex.ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A parameter with an empty value (or none in the answer) is a permanent failure naming the parameter: no retry
    /// fills it, and an empty key pair must not reach the signer.
    /// </summary>
    [Theory]
    [InlineData("""{"Parameter":{"Name":"/replicator/china","Type":"SecureString","Value":"","Version":1}}""")]
    [InlineData("""{"Parameter":{"Name":"/replicator/china","Type":"SecureString","Version":1}}""")]
    [InlineData("{}")]
    public async Task A_parameter_without_a_value_is_a_permanent_failure_naming_it(string body)
    {
        await using var ssm = await LoopbackApp.StartAsync(context => Answer(context.Response, body));
        var store = Store(ssm.Endpoint);

        var ex = await Assert.ThrowsAsync<ReplicationException>(() => store.GetSecureStringAsync(Name, CancellationToken.None));

        Assert.Equal(ReplicationErrorCodes.DestinationCredentialsUnavailable, ex.ErrorCode);
        Assert.False(ex.IsTransient);
        Assert.Equal($"SSM parameter {Name} has no value", ex.Message);
    }

    private static SsmParameterStore Store(Uri endpoint) =>
        new(DictionaryEnvironmentVariables.Of(new Dictionary<string, string> { ["AWS_ENDPOINT_URL_SSM"] = endpoint.ToString() }), "us-east-1", new StaticCredentialsSource(Caller));

    private static async Task Answer(HttpResponse response, string body)
    {
        response.ContentType = "application/x-amz-json-1.1";
        await response.WriteAsync(body);
    }
}
