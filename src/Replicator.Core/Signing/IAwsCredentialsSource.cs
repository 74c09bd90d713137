namespace Replicator.Core.Signing;

/// <summary>
/// Where signing credentials come from. Called before every request: an implementation caches and
/// refreshes (temporary credentials expire), so each call returns credentials valid for a while yet.
/// </summary>
public interface IAwsCredentialsSource
{
    ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Forgets cached credentials that a service refused as expired (<c>ExpiredTokenException</c>), so the next
    /// <see cref="GetCredentialsAsync"/> fetches fresh ones. Fixed credentials have nothing to refresh.
    /// </summary>
    void Invalidate()
    {
    }
}
