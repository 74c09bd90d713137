using Replicator.Core.Ecr;

namespace Replicator.Core.Replication;

/// <summary>The ECR client that writes to one destination, signed with that destination's credentials.</summary>
public interface IDestinationClients
{
    /// <param name="destination">Where to write.</param>
    /// <param name="sourceAccount">The source image's account (null: the caller's own), to tell a same-account destination.</param>
    IEcrClient GetClient(ReplicationDestination destination, string? sourceAccount);

    /// <summary>
    /// Whether <see cref="GetClient"/> signs with the replicator's own credentials for this destination (the source's),
    /// rather than a role's or an SSM key pair's: with <see cref="ReplicationDestination.IsInSourceAccount"/>, whether
    /// a destination without an account of its own is in the source's account.
    /// </summary>
    bool WritesWithSourceCredentials(ReplicationDestination destination, string? sourceAccount);

    /// <summary>
    /// Whether <see cref="GetClient"/> signs (or assumes the destination's role) with a long-term access key an operator
    /// stores and rotates (DESTINATION_CREDENTIALS' SSM parameter), rather than the replicator's own credentials or a
    /// role session STS issues: such a key, just created, can be refused for a few seconds while IAM propagates it
    /// (<see cref="DestinationResult.KeyRefused"/>).
    /// </summary>
    bool SignsWithStoredKey(ReplicationDestination destination, string? sourceAccount);

    /// <summary>
    /// The SSM parameter whose key <see cref="GetClient"/> signs with (or assumes the destination's role with) when
    /// <see cref="SignsWithStoredKey"/>; null otherwise. Named in the failure of a key refused as unknown, since AWS's
    /// own answer ("The security token included in the request is invalid") names neither the key nor where it came from.
    /// </summary>
    string? StoredKeyParameter(ReplicationDestination destination, string? sourceAccount) => null;
}
