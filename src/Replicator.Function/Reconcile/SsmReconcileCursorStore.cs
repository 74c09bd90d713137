using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using Replicator.Core.Configuration;
using Replicator.Core.Destinations;

namespace Replicator.Function.Reconcile;

/// <summary>
/// The cursor in an SSM Parameter Store String parameter (RECONCILE_CURSOR_PARAMETER; the template creates it with
/// <see cref="Core.Reconciliation.ReconcileCursor.StartValue"/>). A String parameter is free in the standard tier and
/// holds up to 4 KB, ten times what the settings' fingerprint (16), a repository name (256) and a digest (135) need
/// (https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html).
/// </summary>
public sealed class SsmReconcileCursorStore(IAmazonSimpleSystemsManagement ssm, string parameterName) : IReconcileCursorStore, IDisposable
{
    public async Task<string?> LoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var response = await ssm.GetParameterAsync(new GetParameterRequest { Name = parameterName }, cancellationToken);
            return response.Parameter?.Value;
        }
        catch (ParameterNotFoundException)
        {
            // Deleted by hand: a new pass starts, and the first save creates it again.
            return null;
        }
    }

    public Task SaveAsync(string value, CancellationToken cancellationToken) =>
        ssm.PutParameterAsync(new PutParameterRequest { Name = parameterName, Value = value, Type = ParameterType.String, Overwrite = true }, cancellationToken);

    /// <summary>
    /// A client for <paramref name="region"/>; <paramref name="endpoint"/> (AWS_ENDPOINT_URL_SSM) for a local SSM such as
    /// moto. FIPS and dual-stack from <paramref name="environment"/>, as every other client of the function reads them.
    /// </summary>
    public static IAmazonSimpleSystemsManagement CreateClient(string region, Uri? endpoint, IEnvironmentVariables environment, AWSCredentials? credentials = null)
    {
        var config = new AmazonSimpleSystemsManagementConfig { MaxErrorRetry = 3, Timeout = TimeSpan.FromSeconds(20) };
        ServiceEndpoints.Apply(config, environment, endpoint, region);
        return credentials is null ? new AmazonSimpleSystemsManagementClient(config) : new AmazonSimpleSystemsManagementClient(credentials, config);
    }

    public void Dispose() => ssm.Dispose();
}
