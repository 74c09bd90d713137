using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using Replicator.Core.Configuration;
using Replicator.Core.Errors;
using Replicator.Core.Replication;
using Replicator.Core.Signing;

namespace Replicator.Core.Destinations;

/// <summary>
/// SSM Parameter Store's GetParameter with decryption, in the replicator's own region and with its own
/// credentials, through AWSSDK.SimpleSystemsManagement (or <c>AWS_ENDPOINT_URL_SSM</c>). Decrypting a
/// SecureString takes kms:Decrypt on its key, which the template grants through the SSM service only.
/// </summary>
public sealed class SsmParameterStore : ISecureParameterStore
{
    private readonly AmazonSimpleSystemsManagementConfig _config;
    private readonly IAwsCredentialsSource _credentials;
    private readonly string _endpointDescription;

    public SsmParameterStore(IEnvironmentVariables environment, string region, IAwsCredentialsSource credentials)
    {
        ArgumentException.ThrowIfNullOrEmpty(region);
        ArgumentNullException.ThrowIfNull(credentials);
        var config = new AmazonSimpleSystemsManagementConfig { MaxErrorRetry = 2, Timeout = TimeSpan.FromSeconds(20) };
        var overridden = ServiceEndpoints.Override(environment, ServiceEndpoints.SsmVariable);
        _endpointDescription = ServiceFailures.DescribeEndpoint("SSM", overridden, region);
        ServiceEndpoints.Apply(config, environment, overridden, region);
        _credentials = credentials;
        _config = config;
    }

    public async Task<string> GetSecureStringAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        GetParameterResponse response;
        try
        {
            // A client of this call's own, as StsSecurityTokenService's (a read every few minutes at most): its adapter
            // then knows the set this call was signed with, which a refusal as expired drops, and not one that another
            // parameter's read, signing at the same time, got.
            var signing = new CredentialsSourceAdapter(_credentials);
            using var client = new AmazonSimpleSystemsManagementClient(signing, _config);
            var request = new GetParameterRequest { Name = name, WithDecryption = true };
            response = await signing.RenewingExpiredOnceAsync(() => client.GetParameterAsync(request, cancellationToken));
        }
        catch (ParameterNotFoundException ex)
        {
            throw new ReplicationException(ReplicationErrorCodes.DestinationCredentialsUnavailable, $"SSM parameter {name} does not exist (DESTINATION_CREDENTIALS)", isTransient: false, ex);
        }
        catch (Exception ex)
        {
            throw ServiceFailures.Wrap(ex, $"read SSM parameter {name}", _endpointDescription, cancellationToken);
        }

        var parameter = response.Parameter;
        if (parameter?.Value is not { Length: > 0 } value)
        {
            throw new ReplicationException(ReplicationErrorCodes.DestinationCredentialsUnavailable, $"SSM parameter {name} has no value", isTransient: false);
        }

        // A String parameter would hold a secret key in plain text, readable by anyone with ssm:GetParameter.
        if (parameter.Type != ParameterType.SecureString)
        {
            throw new ReplicationException(ReplicationErrorCodes.DestinationCredentialsUnavailable, $"SSM parameter {name} must be a SecureString, not {parameter.Type?.Value ?? "untyped"}", isTransient: false);
        }

        return value;
    }
}
