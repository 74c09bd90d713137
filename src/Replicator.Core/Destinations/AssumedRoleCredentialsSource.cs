using Replicator.Core.Errors;
using Replicator.Core.Replication;
using Replicator.Core.Signing;

namespace Replicator.Core.Destinations;

/// <summary>
/// The credentials of one role, assumed on first use, kept, and assumed again before they expire, so a copy that
/// outlives a session never signs with an expired token. Renewal follows botocore's RefreshableCredentials
/// (botocore/credentials.py: advisory and mandatory refresh timeouts):
/// <list type="bullet">
/// <item>from <see cref="AdvisoryRefreshBefore"/> the expiry, one caller renews the session and the others keep
/// using the current one, which still works; if that renewal fails, the current session is used and the failure is
/// reported to the observer, and the next try waits <see cref="AdvisoryRetryInterval"/> (botocore tries again on
/// the next call; a failing STS would then be called once per signed request);</item>
/// <item>from <see cref="MandatoryRefreshBefore"/> the expiry (or with no session yet), every caller waits for a
/// renewal, one at a time, and its failure is theirs.</item>
/// </list>
/// </summary>
public sealed class AssumedRoleCredentialsSource : IAwsCredentialsSource
{
    /// <summary>Renewal starts here: AWSSDK's RefreshingAWSCredentials renews 5 minutes early by default.</summary>
    public static readonly TimeSpan AdvisoryRefreshBefore = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Renewal is required here: a session this close to its end is not handed out while a renewal may still
    /// succeed, leaving a request signed with it a margin for clock skew between this host and AWS.
    /// </summary>
    public static readonly TimeSpan MandatoryRefreshBefore = TimeSpan.FromMinutes(2);

    /// <summary>After a failed advisory renewal, the wait before the next try (six tries fit in the advisory window).</summary>
    public static readonly TimeSpan AdvisoryRetryInterval = TimeSpan.FromSeconds(30);

    private readonly ISecurityTokenService _sts;
    private readonly IAwsCredentialsSource _caller;
    private readonly TimeProvider _time;
    private readonly IReplicationObserver _observer;
    private readonly RefreshingValue<TemporaryCredentials> _session = new();
    private long _nextAdvisoryTry = DateTimeOffset.MinValue.UtcTicks;
    private string _stsRegion;

    /// <param name="region">The region whose STS endpoint assumes the role.</param>
    /// <param name="fallbackRegion">
    /// Where to assume it when STS in <paramref name="region"/> answers <c>RegionDisabledException</c>: STS must be
    /// active there for the account that owns the role, not the caller's ("It is not the account of the caller, but
    /// the account from which temporary credentials are requested that must activate the Region", IAM User Guide,
    /// "Manage AWS STS in an AWS Region"), and an opt-in region the caller runs in may not be enabled in the role's
    /// account. The destination's region is: that account uses ECR there. Once it answered, it is kept.
    /// </param>
    public AssumedRoleCredentialsSource(ISecurityTokenService sts, string roleArn, string? externalId, string region, IAwsCredentialsSource caller, TimeProvider? time = null, IReplicationObserver? observer = null, string? fallbackRegion = null)
    {
        _sts = sts ?? throw new ArgumentNullException(nameof(sts));
        _caller = caller ?? throw new ArgumentNullException(nameof(caller));
        ArgumentException.ThrowIfNullOrEmpty(roleArn);
        ArgumentException.ThrowIfNullOrEmpty(region);
        RoleArn = roleArn;
        ExternalId = externalId;
        Region = region;
        _stsRegion = region;
        FallbackRegion = fallbackRegion;
        _time = time ?? TimeProvider.System;
        _observer = observer ?? NullReplicationObserver.Instance;
    }

    public string RoleArn { get; }

    public string? ExternalId { get; }

    public string Region { get; }

    public string? FallbackRegion { get; }

    /// <summary>The region whose STS the next renewal calls: <see cref="Region"/>, or the fallback once it was needed.</summary>
    public string StsRegion => Volatile.Read(ref _stsRegion);

    public async ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken)
    {
        var session = _session.Current;
        var now = _time.GetUtcNow();
        if (session is not null && now < session.Expiration - AdvisoryRefreshBefore)
        {
            return session.Credentials;
        }

        if (session is not null && now < session.Expiration - MandatoryRefreshBefore)
        {
            // Advisory window: only the caller that starts the renewal waits for it (and gets the current session
            // back if it fails); the others, and everyone until the retry interval after a failure, go on.
            if (now.UtcTicks < Interlocked.Read(ref _nextAdvisoryTry) || !_session.TryStartLoad(session, AssumeAsync, out var renewal))
            {
                return session.Credentials;
            }

            return (await renewal.WaitAsync(cancellationToken)).Credentials;
        }

        return (await _session.LoadAsync(session, AssumeAsync).WaitAsync(cancellationToken)).Credentials;
    }

    /// <summary>ECR refused the session as expired (clock skew, or a session revoked early): assume the role again next time.</summary>
    public void Invalidate() => _session.Forget();

    /// <summary>
    /// ECR refused <paramref name="used"/> as expired: assume the role again next time, unless a newer session has
    /// replaced it already (requests signed with one session fail together; only the first drops it).
    /// </summary>
    public void Invalidate(AwsCredentials used)
    {
        if (_session.Current is { } session && ReferenceEquals(session.Credentials, used))
        {
            _session.Forget(session);
        }
    }

    /// <summary>Whether <paramref name="credentials"/> are those of the session held now.</summary>
    internal bool Holds(AwsCredentials credentials) => ReferenceEquals(_session.Current?.Credentials, credentials);

    public override string ToString() => $"AssumedRoleCredentialsSource({RoleArn})";

    // The load belongs to no caller (see RefreshingValue): no caller's token, the STS client's timeouts bound it.
    private async Task<TemporaryCredentials> AssumeAsync(TemporaryCredentials? current)
    {
        try
        {
            var renewed = await AssumeInActiveRegionAsync();
            Interlocked.Exchange(ref _nextAdvisoryTry, DateTimeOffset.MinValue.UtcTicks);
            return renewed;
        }
        catch (Exception ex) when (current is not null && _time.GetUtcNow() is var now && now < current.Expiration - MandatoryRefreshBefore
            && ReferenceEquals(_session.Current, current))
        {
            // Advisory failure (botocore's _protected_refresh with is_mandatory false): keep the session that works,
            // unless ECR refused it while the renewal ran (Invalidate dropped it): putting it back would hand every
            // caller, the retry of the refused request first, a session known to fail.
            Interlocked.Exchange(ref _nextAdvisoryTry, (now + AdvisoryRetryInterval).UtcTicks);
            _observer.CredentialsRenewalFailed(RoleArn, ex is ReplicationException { ErrorCode: var code } ? code : ex.GetType().Name, current.Expiration);
            return current;
        }
    }

    private async Task<TemporaryCredentials> AssumeInActiveRegionAsync()
    {
        var region = StsRegion;
        try
        {
            return await _sts.AssumeRoleAsync(RoleArn, ExternalId, region, _caller, CancellationToken.None);
        }
        catch (ReplicationException ex) when (FallbackRegion is { } fallback && fallback != region && ServiceFailures.IsRegionDisabled(ex))
        {
            var renewed = await _sts.AssumeRoleAsync(RoleArn, ExternalId, fallback, _caller, CancellationToken.None);
            Volatile.Write(ref _stsRegion, fallback);
            return renewed;
        }
    }
}
