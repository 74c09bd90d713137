using Replicator.Core.Errors;

namespace Replicator.Core.Destinations;

/// <summary>Reads one SSM SecureString, decrypted. The value is a secret: callers never log or keep it on disk.</summary>
public interface ISecureParameterStore
{
    /// <summary>
    /// The decrypted value of <paramref name="name"/>. Failures are <see cref="Errors.ReplicationException"/>s with
    /// code <see cref="Errors.ReplicationErrorCodes.DestinationCredentialsUnavailable"/>, naming the parameter only.
    /// </summary>
    Task<string> GetSecureStringAsync(string name, CancellationToken cancellationToken);
}
