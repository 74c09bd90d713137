using Replicator.Core.Replication;

namespace Replicator.Function.Observability;

/// <summary>
/// What the engine reports outside a destination's result, as log lines: a failed renewal of a destination role's
/// session is a WARN while the current session still works, so an operator sees STS trouble (a changed trust
/// policy, a regional outage) minutes before copies into that account start failing. Progress callbacks are not
/// logged: the per-destination result line says it all once, and a line per part would drown the log.
/// </summary>
public sealed class EngineLogObserver(FunctionLogger logger) : IReplicationObserver
{
    public void CredentialsRenewalFailed(string roleArn, string errorCode, DateTimeOffset expiration) =>
        logger.Warn(
            $"Could not renew the session of {roleArn}; the current one works until {expiration:u} and renewal is tried again shortly",
            new LogFields { ErrorType = errorCode });
}
