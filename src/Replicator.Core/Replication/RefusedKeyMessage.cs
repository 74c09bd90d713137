using Replicator.Core.Partitions;

namespace Replicator.Core.Replication;

/// <summary>
/// The words for a destination's refused stored key, shared by every place that reports one: the engine's failed
/// destination and deletion, the dry run, and the CLI's verify.
/// </summary>
public static class RefusedKeyMessage
{
    /// <summary>
    /// The failure message of a destination, naming the SSM parameter its key came from when that key was refused as
    /// unknown (<paramref name="keyRefused"/>, as FailureClassifier.IsStoredKeyRefused tells) and <paramref name="message"/> as it is
    /// otherwise: ECR's and STS's answer, "The security token included in the request is invalid"
    /// (UnrecognizedClientException, InvalidClientTokenId), names neither, and with several DESTINATION_CREDENTIALS
    /// entries the operator could not tell which parameter to fix. An IAM user's key is known only in its own partition
    /// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns: the partition is
    /// part of every IAM identity), so a key of the replicator's own partition put there is refused so, as is an
    /// inactive or deleted one. Parameter first: the dead-letter reason is cut at its end. No ':' or '=' after "key"
    /// or "token": the shells' redactor would read what follows as a secret and hide it.
    /// </summary>
    public static string Describe(string message, bool keyRefused, IDestinationClients clients, ReplicationDestination destination, string? sourceAccount) =>
        keyRefused && clients.StoredKeyParameter(destination, sourceAccount) is { } parameter
            ? $"the access key read from SSM parameter {parameter} (DESTINATION_CREDENTIALS) is unknown in partition {AwsPartitions.IdOf(destination.Region)} "
                + $"even after the parameter was read again (inactive, deleted, or an IAM user's key of another partition); {message}"
            : message;

    /// <summary>
    /// <see cref="Describe(string, bool, IDestinationClients, ReplicationDestination, string?)"/> for a failure the caller
    /// has not classified: the key is refused as the engine reads it (FailureClassifier.IsStoredKeyRefused), so ECR's
    /// UnrecognizedClientException and, for a parameter with a RoleArn, STS's InvalidClientTokenId inside a
    /// DestinationCredentialsUnavailable both name the parameter, in verify and the dry run as in sync.
    /// </summary>
    public static string Describe(string message, Exception exception, IDestinationClients clients, ReplicationDestination destination, string? sourceAccount)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(clients);
        var keyRefused = FailureClassifier.IsStoredKeyRefused(exception, clients.SignsWithStoredKey(destination, sourceAccount));
        return Describe(message, keyRefused, clients, destination, sourceAccount);
    }
}
