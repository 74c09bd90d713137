using Replicator.Core.Signing;

namespace Replicator.Core.Destinations;

/// <summary>
/// The credentials of one role, assumed on first use, kept, and assumed again <see cref="RefreshBefore"/> their
/// expiry, so a copy that outlives a session never signs with an expired token. One refresh at a time: concurrent
/// callers wait for it. If a refresh fails while the old session still works, the old one is used (botocore's
/// advisory versus mandatory refresh windows: botocore/credentials.py, RefreshableCredentials).
/// </summary>
public sealed class AssumedRoleCredentialsSource : IAwsCredentialsSource, IDisposable
{
    /// <summary>The SDKs' margin: AWSSDK's RefreshingAWSCredentials renews 5 minutes early by default.</summary>
    public static readonly TimeSpan RefreshBefore = TimeSpan.FromMinutes(5);

    private readonly ISecurityTokenService _sts;
    private readonly IAwsCredentialsSource _caller;
    private readonly TimeProvider _time;
    private readonly RefreshingValue<TemporaryCredentials> _session = new();

    public AssumedRoleCredentialsSource(ISecurityTokenService sts, string roleArn, string? externalId, string region, IAwsCredentialsSource caller, TimeProvider? time = null)
    {
        _sts = sts ?? throw new ArgumentNullException(nameof(sts));
        _caller = caller ?? throw new ArgumentNullException(nameof(caller));
        ArgumentException.ThrowIfNullOrEmpty(roleArn);
        ArgumentException.ThrowIfNullOrEmpty(region);
        RoleArn = roleArn;
        ExternalId = externalId;
        Region = region;
        _time = time ?? TimeProvider.System;
    }

    public string RoleArn { get; }

    public string? ExternalId { get; }

    public string Region { get; }

    public async ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken) =>
        (await _session.GetAsync(credentials => !NeedsRefresh(credentials), AssumeAsync, cancellationToken)).Credentials;

    /// <summary>ECR refused the session as expired (clock skew, or a session revoked early): assume the role again next time.</summary>
    public void Invalidate() => _session.Forget();

    public void Dispose() => _session.Dispose();

    public override string ToString() => $"AssumedRoleCredentialsSource({RoleArn})";

    private bool NeedsRefresh(TemporaryCredentials credentials) => _time.GetUtcNow() >= credentials.Expiration - RefreshBefore;

    private async ValueTask<TemporaryCredentials> AssumeAsync(TemporaryCredentials? current, CancellationToken cancellationToken)
    {
        try
        {
            return await _sts.AssumeRoleAsync(RoleArn, ExternalId, Region, _caller, cancellationToken);
        }
        catch (Exception) when (current is not null && _time.GetUtcNow() < current.Expiration && !cancellationToken.IsCancellationRequested)
        {
            // Still valid for a few minutes: keep working, the next call tries to refresh again.
            return current;
        }
    }
}
