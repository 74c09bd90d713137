namespace Replicator.Core.Destinations;

/// <summary>How the replicator signs its calls to one destination.</summary>
public enum DestinationRouteKind
{
    /// <summary>With the replicator's own credentials: a region of the source account.</summary>
    SourceCredentials,

    /// <summary>With temporary credentials of a role in the destination account, from STS AssumeRole.</summary>
    AssumeRole,

    /// <summary>With an IAM user's key pair held in an SSM SecureString (another partition), optionally assuming a role there.</summary>
    SsmCredentials,
}
