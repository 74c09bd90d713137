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

    /// <summary>
    /// Forgets <paramref name="used"/>, the credentials a service refused as expired, if they are still the cached
    /// ones: when several requests signed with one session fail together, the first drops it and the others, which
    /// find a newer session (or its load under way), keep that one, so N failures cost one renewal, not N. A source
    /// that cannot tell its sets apart forgets whatever it holds.
    /// </summary>
    void Invalidate(AwsCredentials used) => Invalidate();

    /// <summary>
    /// Whether a refusal of the key itself (ECR's <c>UnrecognizedClientException</c>, STS's <c>InvalidClientTokenId</c>)
    /// is worth one <see cref="Invalidate(AwsCredentials)"/> and a second send, as an expired token is: true for a source
    /// that reads keys someone rotates in place (an SSM parameter), whose old key may be deleted before the cache
    /// would read the new one. Elsewhere the key is what it is, and the refusal is the caller's.
    /// </summary>
    bool RereadsRefusedKeys => false;
}
