using Replicator.Core.Errors;
using Replicator.Core.Signing;

namespace Replicator.Core.Destinations;

/// <summary>STS AssumeRole, behind a seam so the caching around it is tested with a fake clock and no network.</summary>
public interface ISecurityTokenService
{
    /// <summary>
    /// Assumes <paramref name="roleArn"/> with <paramref name="caller"/>'s credentials through the STS endpoint of
    /// <paramref name="region"/>. Failures are <see cref="Errors.ReplicationException"/>s with code
    /// <see cref="Errors.ReplicationErrorCodes.DestinationCredentialsUnavailable"/> and a retry verdict.
    /// </summary>
    Task<TemporaryCredentials> AssumeRoleAsync(string roleArn, string? externalId, string region, IAwsCredentialsSource caller, CancellationToken cancellationToken);
}
