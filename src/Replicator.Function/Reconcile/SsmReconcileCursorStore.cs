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
/// <param name="createClient">
/// Builds the client on the first load or save: only a scheduled run uses the cursor, and an SDK client's construction
/// (its configuration and endpoint resolution) is a cost every cold start would otherwise pay at init. A client that
/// could not be built is built again on the next use (<see cref="LazyThreadSafetyMode.PublicationOnly"/>), not failed
/// for the life of the execution environment.
/// </param>
/// <param name="parameterName">RECONCILE_CURSOR_PARAMETER.</param>
public sealed class SsmReconcileCursorStore(Func<IAmazonSimpleSystemsManagement> createClient, string parameterName) : IReconcileCursorStore, IDisposable
{
    private readonly Lazy<IAmazonSimpleSystemsManagement> _ssm = new(createClient ?? throw new ArgumentNullException(nameof(createClient)), LazyThreadSafetyMode.PublicationOnly);

    public SsmReconcileCursorStore(IAmazonSimpleSystemsManagement ssm, string parameterName)
        : this(() => ssm, parameterName)
    {
    }

    public async Task<string?> LoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var response = await _ssm.Value.GetParameterAsync(new GetParameterRequest { Name = parameterName }, cancellationToken);
            return response.Parameter?.Value;
        }
        catch (ParameterNotFoundException)
        {
            // Deleted by hand: a new pass starts, and the first save creates it again.
            return null;
        }
    }

    public Task SaveAsync(string value, CancellationToken cancellationToken) =>
        _ssm.Value.PutParameterAsync(new PutParameterRequest { Name = parameterName, Value = value, Type = ParameterType.String, Overwrite = true }, cancellationToken);

    /// <summary>How long one GetParameter or PutParameter attempt may take (the SDK's <c>Timeout</c>, per HTTP request).</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Retries after the first attempt: three attempts in all.</summary>
    public const int MaxErrorRetry = 2;

    /// <summary>
    /// A client for <paramref name="region"/>; <paramref name="endpoint"/> (AWS_ENDPOINT_URL_SSM) for a local SSM such as
    /// moto. FIPS and dual-stack from <paramref name="environment"/>, as every other client of the function reads them.
    /// </summary>
    /// <remarks>
    /// The save at the end of a run has only what is left of <see cref="ScheduledReconcile.DeadlineMargin"/> after the
    /// unit in flight, and the invocation's token cuts it at the deadline: the save then fails, the invocation fails and
    /// the next run walks again what this one queued. So its worst case is bounded to fit in half the margin:
    /// 3 attempts x 5 s, plus the standard retry mode's longest backoffs before the two retries (min(2^i s, 20 s): 2 s
    /// and 4 s, https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html) = 21 s. It was 4 attempts of
    /// 20 s, 94 s with the backoff: more than the whole margin. The retry mode is set, not read from AWS_RETRY_MODE or a
    /// profile: adaptive mode may also wait for its client-side rate limiter, which this bound does not count. One
    /// PutParameter answers in well under a second; 5 s an attempt still rides out a slow connection.
    /// </remarks>
    public static IAmazonSimpleSystemsManagement CreateClient(string region, Uri? endpoint, IEnvironmentVariables environment, AWSCredentials? credentials = null)
    {
        var config = new AmazonSimpleSystemsManagementConfig { MaxErrorRetry = MaxErrorRetry, Timeout = AttemptTimeout, RetryMode = RequestRetryMode.Standard };
        ServiceEndpoints.Apply(config, environment, endpoint, region);
        return credentials is null ? new AmazonSimpleSystemsManagementClient(config) : new AmazonSimpleSystemsManagementClient(credentials, config);
    }

    public void Dispose()
    {
        if (_ssm.IsValueCreated)
        {
            _ssm.Value.Dispose();
        }
    }
}
