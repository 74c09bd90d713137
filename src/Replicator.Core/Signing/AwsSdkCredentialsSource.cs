using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace Replicator.Core.Signing;

/// <summary>
/// Credentials from AWSSDK.Core: by default its standard chain (environment, profiles and SSO, web identity,
/// container and instance roles). The SDK's <see cref="AWSCredentials"/> objects cache and refresh themselves
/// before expiry, so every call asks them again rather than keeping a copy here.
/// </summary>
public sealed class AwsSdkCredentialsSource : IAwsCredentialsSource
{
    private readonly AWSCredentials? _credentials;
    private Task<AWSCredentials>? _resolving;

    /// <summary>Resolves the default chain lazily, on first use (so constructing never fails).</summary>
    public AwsSdkCredentialsSource()
    {
    }

    public AwsSdkCredentialsSource(AWSCredentials credentials)
    {
        _credentials = credentials ?? throw new ArgumentNullException(nameof(credentials));
    }

    public async ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken)
    {
        var source = _credentials ?? await ResolveAsync(cancellationToken);
        var current = await source.GetCredentialsAsync().WaitAsync(cancellationToken);
        return new AwsCredentials(current.AccessKey, current.SecretKey, current.UseToken ? current.Token : null);
    }

    /// <summary>
    /// After an <c>ExpiredTokenException</c>: a refreshing source (role, SSO, web identity, container, instance)
    /// drops its cached set, and the default chain is walked again, so the next call gets what is current now
    /// (Lambda, for example, may have rotated the environment's keys).
    /// </summary>
    public void Invalidate()
    {
        if ((_credentials ?? (Volatile.Read(ref _resolving) is { IsCompletedSuccessfully: true } done ? done.Result : null)) is RefreshingAWSCredentials refreshing)
        {
            refreshing.ClearCredentials();
        }

        if (_credentials is null)
        {
            Volatile.Write(ref _resolving, null);
        }
    }

    private Task<AWSCredentials> ResolveAsync(CancellationToken cancellationToken)
    {
        var resolving = Volatile.Read(ref _resolving);
        if (resolving is null || resolving.IsFaulted || resolving.IsCanceled)
        {
            // A failed resolution (no credentials yet, metadata endpoint down) is retried on the next call.
            var fresh = DefaultAWSCredentialsIdentityResolver.GetCredentialsAsync();
            resolving = Interlocked.CompareExchange(ref _resolving, fresh, resolving) == resolving ? fresh : _resolving!;
        }

        return resolving.WaitAsync(cancellationToken);
    }
}
