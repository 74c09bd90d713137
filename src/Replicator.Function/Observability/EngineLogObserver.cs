using System.Globalization;
using Replicator.Core.Replication;
using Replicator.Core.Resilience;

namespace Replicator.Function.Observability;

/// <summary>
/// What the engine reports outside a destination's result, as log lines: a failed renewal of a destination role's
/// session, or a failed read again of a destination's SSM-held keys, is a WARN while the current credentials still
/// work, so an operator sees STS trouble (a changed trust policy, a regional outage) minutes before copies into that
/// account start failing. Each retry of an ECR call is a WARN too: throttling that the retries absorb shows up here
/// (and in a Logs Insights count by region) long before a destination fails, which is when MaxConcurrency or
/// MaxParallelLayers is worth lowering; the retry budget bounds the lines per call. Progress callbacks are not
/// logged: the per-destination result line says it all once, and a line per part would drown the log.
/// </summary>
public sealed class EngineLogObserver(FunctionLogger logger) : IReplicationObserver
{
    public void Retrying(EcrRetry retry) =>
        logger.Warn(
            string.Create(
                CultureInfo.InvariantCulture,
                $"ECR {retry.Operation} in {retry.Target} failed with {retry.ErrorCode}; retry {retry.Retry} in {retry.Delay.TotalSeconds:0.0} s"),
            Fields(retry.ErrorCode));

    public void CredentialsRenewalFailed(string roleArn, string errorCode, DateTimeOffset expiration) =>
        logger.Warn(
            $"Could not renew the session of {roleArn}; the current one works until {expiration:u} and renewal is tried again shortly",
            Fields(errorCode));

    // The parameter's name only, never its value: it holds an access key pair.
    public void CredentialsRereadFailed(string parameterName, string errorCode, DateTimeOffset keptUntil) =>
        logger.Warn(
            $"Could not read SSM parameter {parameterName} again; the keys last read from it stay in use until {keptUntil:u} and the read is tried again shortly",
            Fields(errorCode));

    // The request id (and, during a record's copy, its message id and image) of the flow that reported it: EngineLogContext.
    private static LogFields Fields(string errorCode) => (EngineLogContext.Current ?? new LogFields()) with { ErrorType = errorCode };
}
