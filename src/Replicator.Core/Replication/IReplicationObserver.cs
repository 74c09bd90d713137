using Replicator.Core.Resilience;

namespace Replicator.Core.Replication;

/// <summary>
/// Progress of a replication, for live displays and logs. Called from several threads at once; must be quick.
/// Never receives URLs or credentials.
/// </summary>
public interface IReplicationObserver
{
    /// <summary>A planned copy to one destination: how many bytes it will upload.</summary>
    void PlanReady(ReplicationDestination destination, string digest, int blobsToCopy, long bytesToCopy) { }

    /// <summary><paramref name="bytes"/> more bytes of a layer reached the destination.</summary>
    void BytesCopied(ReplicationDestination destination, string layerDigest, long bytes) { }

    /// <summary>An ECR call is retried after a transient error, once <see cref="EcrRetry.Delay"/> has passed.</summary>
    void Retrying(EcrRetry retry) { }

    /// <summary>
    /// Renewing the session of a destination role failed while the current one still works until
    /// <paramref name="expiration"/>: it stays in use and renewal is tried again shortly.
    /// </summary>
    void CredentialsRenewalFailed(string roleArn, string errorCode, DateTimeOffset expiration) { }

    /// <summary>
    /// Reading a destination's keys again from the SSM parameter <paramref name="parameterName"/> failed transiently:
    /// the keys last read stay in use until <paramref name="keptUntil"/> and the read is tried again shortly. Unless
    /// overridden, reported as <see cref="CredentialsRenewalFailed"/> of the parameter.
    /// </summary>
    void CredentialsRereadFailed(string parameterName, string errorCode, DateTimeOffset keptUntil) =>
        CredentialsRenewalFailed($"SSM parameter {parameterName}", errorCode, keptUntil);

    /// <summary>A destination finished (any outcome).</summary>
    void DestinationDone(DestinationResult result) { }
}
