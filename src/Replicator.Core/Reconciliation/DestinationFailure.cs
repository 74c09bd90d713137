using Replicator.Core.Errors;
using Replicator.Core.Replication;

namespace Replicator.Core.Reconciliation;

/// <summary>
/// A destination whose listing of one repository could not be read (its role refused or throttled, access denied,
/// the retries spent): its content is unknown, so it is left out of the comparison. No drift is claimed for it and no
/// delete is decided from it; the drift the other destinations show is still found, and its PUSH event heals this
/// destination too, since the function replicates every event to all of its destinations.
/// </summary>
public sealed record DestinationFailure(ReplicationDestination Destination, Exception Error)
{
    /// <summary>
    /// The destination's credentials could not be had (<see cref="ReplicationErrorCodes.DestinationCredentialsUnavailable"/>):
    /// the same for every repository, so the rest of the <see cref="DriftScanRun"/> skips the destination.
    /// </summary>
    public bool CredentialsUnavailable => Error is ReplicationException { ErrorCode: ReplicationErrorCodes.DestinationCredentialsUnavailable };

    /// <summary>One line naming <paramref name="repository"/>, the destination and the reason.</summary>
    public string Describe(string repository) =>
        $"{repository}: destination {Destination} not compared: {Error.GetType().Name}: {Error.Message}{(CredentialsUnavailable ? "; not tried again this run" : string.Empty)}";
}
