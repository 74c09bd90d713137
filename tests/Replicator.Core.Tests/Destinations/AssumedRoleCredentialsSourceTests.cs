using Microsoft.Extensions.Time.Testing;
using Replicator.Core.Destinations;
using Replicator.Core.Errors;
using Replicator.Core.Replication;
using Replicator.Core.Signing;

namespace Replicator.Core.Tests.Destinations;

public sealed class AssumedRoleCredentialsSourceTests
{
    private const string Role = "arn:aws:iam::222222222222:role/ecr-replicator-destination";

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    private readonly StaticCredentialsSource _caller = new(new AwsCredentials("AKIACALLER", "caller-secret"));

    [Fact]
    public async Task The_session_is_assumed_once_and_reused_while_it_is_fresh()
    {
        var sts = new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1));
        var source = new AssumedRoleCredentialsSource(sts, Role, "ext-1", "eu-west-1", _caller, _clock);

        var first = await source.GetCredentialsAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(54));
        var second = await source.GetCredentialsAsync(CancellationToken.None);

        Assert.Same(first, second);
        Assert.Equal([(Role, (string?)"ext-1", "eu-west-1", "AKIACALLER")], sts.Calls);
    }

    [Fact]
    public async Task It_is_assumed_again_five_minutes_before_expiry()
    {
        var sts = new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1));
        var source = new AssumedRoleCredentialsSource(sts, Role, null, "eu-west-1", _caller, _clock);

        var first = await source.GetCredentialsAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(55));
        var second = await source.GetCredentialsAsync(CancellationToken.None);

        Assert.Equal("token1", first.SessionToken);
        Assert.Equal("token2", second.SessionToken);
        Assert.Equal(2, sts.Calls.Count);
    }

    [Fact]
    public async Task Concurrent_callers_share_one_refresh()
    {
        var sts = new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1)) { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var source = new AssumedRoleCredentialsSource(sts, Role, null, "eu-west-1", _caller, _clock);

        var calls = Enumerable.Range(0, 8).Select(_ => source.GetCredentialsAsync(CancellationToken.None).AsTask()).ToList();
        sts.Gate.SetResult();
        var results = await Task.WhenAll(calls);

        Assert.Single(sts.Calls);
        Assert.All(results, r => Assert.Equal("token1", r.SessionToken));
    }

    [Fact]
    public async Task Where_STS_is_not_active_for_the_roles_account_the_role_is_assumed_in_the_destinations_region_from_then_on()
    {
        // The stack runs in an opt-in region the destination account has not enabled.
        var sts = new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1));
        sts.DisabledRegions.Add("af-south-1");
        var source = new AssumedRoleCredentialsSource(sts, Role, null, "af-south-1", _caller, _clock, fallbackRegion: "eu-west-1");

        var first = await source.GetCredentialsAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(56));
        var renewed = await source.GetCredentialsAsync(CancellationToken.None);

        Assert.Equal("token1", first.SessionToken);
        Assert.Equal("token2", renewed.SessionToken);
        Assert.Equal("eu-west-1", source.StsRegion);
        Assert.Equal(["af-south-1", "eu-west-1", "eu-west-1"], sts.Calls.Select(c => c.Region));
    }

    [Fact]
    public async Task Another_STS_failure_is_not_sent_to_the_fallback_region_and_no_fallback_means_the_refusal_is_the_callers()
    {
        var sts = new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1))
        {
            FailWith = new ReplicationException(ReplicationErrorCodes.DestinationCredentialsUnavailable, "could not assume role: AccessDenied", isTransient: false),
        };
        var denied = new AssumedRoleCredentialsSource(sts, Role, null, "af-south-1", _caller, _clock, fallbackRegion: "eu-west-1");

        await Assert.ThrowsAsync<ReplicationException>(() => denied.GetCredentialsAsync(CancellationToken.None).AsTask());
        Assert.Equal(["af-south-1"], sts.Calls.Select(c => c.Region));

        sts.FailWith = null;
        sts.DisabledRegions.Add("af-south-1");
        var alone = new AssumedRoleCredentialsSource(sts, Role, null, "af-south-1", _caller, _clock);
        var error = await Assert.ThrowsAsync<ReplicationException>(() => alone.GetCredentialsAsync(CancellationToken.None).AsTask());

        Assert.Contains("RegionDisabledException", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsTransient);
        Assert.Equal("af-south-1", alone.StsRegion);
    }

    [Fact]
    public async Task A_failed_refresh_keeps_a_session_that_still_works_and_fails_once_it_has_expired()
    {
        var sts = new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1));
        var source = new AssumedRoleCredentialsSource(sts, Role, null, "eu-west-1", _caller, _clock);
        await source.GetCredentialsAsync(CancellationToken.None);
        sts.FailWith = new ReplicationException(ReplicationErrorCodes.DestinationCredentialsUnavailable, "could not assume role: Throttling", isTransient: true);

        _clock.Advance(TimeSpan.FromMinutes(57));
        var kept = await source.GetCredentialsAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(3));
        var error = await Assert.ThrowsAsync<ReplicationException>(() => source.GetCredentialsAsync(CancellationToken.None).AsTask());

        Assert.Equal("token1", kept.SessionToken);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task In_the_advisory_window_one_caller_renews_and_the_others_keep_the_current_session()
    {
        var sts = new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1));
        var source = new AssumedRoleCredentialsSource(sts, Role, null, "eu-west-1", _caller, _clock);
        await source.GetCredentialsAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(56));
        sts.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var renewing = source.GetCredentialsAsync(CancellationToken.None).AsTask();
        await sts.CallsReached(2);
        var others = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => source.GetCredentialsAsync(CancellationToken.None).AsTask()));

        Assert.False(renewing.IsCompleted);
        Assert.All(others, r => Assert.Equal("token1", r.SessionToken));
        sts.Gate.SetResult();
        Assert.Equal("token2", (await renewing).SessionToken);
        Assert.Equal("token2", (await source.GetCredentialsAsync(CancellationToken.None)).SessionToken);
        Assert.Equal(2, sts.Calls.Count);
    }

    [Fact]
    public async Task A_failed_advisory_renewal_is_reported_and_tried_again_after_the_interval_not_on_every_call()
    {
        var sts = new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1));
        var observer = new RenewalObserver();
        var source = new AssumedRoleCredentialsSource(sts, Role, null, "eu-west-1", _caller, _clock, observer);
        var expiry = _clock.GetUtcNow() + TimeSpan.FromHours(1);
        await source.GetCredentialsAsync(CancellationToken.None);
        sts.FailWith = new ReplicationException(ReplicationErrorCodes.DestinationCredentialsUnavailable, "could not assume role: Throttling", isTransient: true);

        _clock.Advance(TimeSpan.FromMinutes(55));
        var kept = await source.GetCredentialsAsync(CancellationToken.None);
        _clock.Advance(AssumedRoleCredentialsSource.AdvisoryRetryInterval - TimeSpan.FromSeconds(1));
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("token1", (await source.GetCredentialsAsync(CancellationToken.None)).SessionToken);
        }

        var callsWithinInterval = sts.Calls.Count;
        _clock.Advance(TimeSpan.FromSeconds(1));
        var keptAgain = await source.GetCredentialsAsync(CancellationToken.None);
        sts.FailWith = null;
        _clock.Advance(AssumedRoleCredentialsSource.AdvisoryRetryInterval);
        var renewed = await source.GetCredentialsAsync(CancellationToken.None);

        Assert.Equal(("token1", "token1", "token2"), (kept.SessionToken, keptAgain.SessionToken, renewed.SessionToken));
        Assert.Equal(2, callsWithinInterval);
        Assert.Equal(4, sts.Calls.Count);
        Assert.Equal(
            [(Role, ReplicationErrorCodes.DestinationCredentialsUnavailable, expiry), (Role, ReplicationErrorCodes.DestinationCredentialsUnavailable, expiry)],
            observer.Failures);
    }

    [Fact]
    public async Task In_the_mandatory_window_every_caller_waits_for_the_renewal_and_gets_its_failure()
    {
        var sts = new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1));
        var observer = new RenewalObserver();
        var source = new AssumedRoleCredentialsSource(sts, Role, null, "eu-west-1", _caller, _clock, observer);
        await source.GetCredentialsAsync(CancellationToken.None);
        sts.FailWith = new ReplicationException(ReplicationErrorCodes.DestinationCredentialsUnavailable, "could not assume role: AccessDenied", isTransient: false);
        sts.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // 90 seconds left: less than MandatoryRefreshBefore, so the still-valid session is not handed out.
        _clock.Advance(TimeSpan.FromMinutes(58.5));
        var calls = Enumerable.Range(0, 4).Select(_ => source.GetCredentialsAsync(CancellationToken.None).AsTask()).ToList();
        await sts.CallsReached(2);
        sts.Gate.SetResult();
        foreach (var call in calls)
        {
            Assert.Equal("could not assume role: AccessDenied", (await Assert.ThrowsAsync<ReplicationException>(() => call)).Message);
        }

        var callsForTheBurst = sts.Calls.Count;
        await Assert.ThrowsAsync<ReplicationException>(() => source.GetCredentialsAsync(CancellationToken.None).AsTask());

        Assert.Equal(2, callsForTheBurst);
        Assert.Equal(3, sts.Calls.Count);
        Assert.Empty(observer.Failures);
    }

    [Fact]
    public async Task A_session_ECR_refused_during_a_failing_advisory_renewal_is_not_put_back()
    {
        var sts = new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1));
        var source = new AssumedRoleCredentialsSource(sts, Role, null, "eu-west-1", _caller, _clock);
        var refused = await source.GetCredentialsAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(56));
        sts.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        sts.FailWith = new ReplicationException(ReplicationErrorCodes.DestinationCredentialsUnavailable, "could not assume role: Throttling", isTransient: true);

        // The advisory renewal starts and is held; ECR then refuses the session (revoked), and the retry of that
        // request joins the renewal.
        var renewing = source.GetCredentialsAsync(CancellationToken.None).AsTask();
        await sts.CallsReached(2);
        ((IAwsCredentialsSource)source).Invalidate(refused);
        var retry = source.GetCredentialsAsync(CancellationToken.None).AsTask();
        sts.Gate.SetResult();

        Assert.True((await Assert.ThrowsAsync<ReplicationException>(() => retry)).IsTransient);
        await Assert.ThrowsAsync<ReplicationException>(() => renewing);
        Assert.False(source.Holds(refused));
    }

    [Fact]
    public async Task A_caller_reaching_the_mandatory_window_joins_the_advisory_renewal_in_flight()
    {
        var sts = new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1));
        var source = new AssumedRoleCredentialsSource(sts, Role, null, "eu-west-1", _caller, _clock);
        await source.GetCredentialsAsync(CancellationToken.None);
        sts.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _clock.Advance(TimeSpan.FromMinutes(57));
        var renewing = source.GetCredentialsAsync(CancellationToken.None).AsTask();
        await sts.CallsReached(2);

        _clock.Advance(TimeSpan.FromMinutes(1.5));
        var waiting = source.GetCredentialsAsync(CancellationToken.None).AsTask();
        var stillRenewing = !waiting.IsCompleted;
        sts.Gate.SetResult();

        Assert.True(stillRenewing);
        Assert.Equal("token2", (await waiting).SessionToken);
        Assert.Equal("token2", (await renewing).SessionToken);
        Assert.Equal(2, sts.Calls.Count);
    }

    [Fact]
    public async Task A_caller_that_gives_up_does_not_cancel_the_renewal_others_wait_for()
    {
        var sts = new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1)) { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var source = new AssumedRoleCredentialsSource(sts, Role, null, "eu-west-1", _caller, _clock);
        using var cancel = new CancellationTokenSource();

        var cancelled = source.GetCredentialsAsync(cancel.Token).AsTask();
        var patient = source.GetCredentialsAsync(CancellationToken.None).AsTask();
        await sts.CallsReached(1);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        sts.Gate.SetResult();

        Assert.Equal("token1", (await patient).SessionToken);
        Assert.Single(sts.Calls);
    }

    [Fact]
    public async Task Invalidate_forces_a_new_session()
    {
        var sts = new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1));
        var source = new AssumedRoleCredentialsSource(sts, Role, null, "eu-west-1", _caller, _clock);
        await source.GetCredentialsAsync(CancellationToken.None);

        source.Invalidate();
        var next = await source.GetCredentialsAsync(CancellationToken.None);

        Assert.Equal("token2", next.SessionToken);
    }

    /// <summary>
    /// Eight requests signed with one session are all refused with ExpiredTokenException, as parallel layer uploads
    /// are when a session is revoked. Each invalidates the session it used and asks again: four while the renewal is
    /// still at STS, four after it has finished. Only the first drops the session; the rest join its renewal or find
    /// the new session, so STS is called once for the first session and once for the renewal, never once per failure.
    /// </summary>
    [Fact]
    public async Task Parallel_expired_token_failures_of_one_session_renew_it_once()
    {
        var sts = new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1));
        var source = new AssumedRoleCredentialsSource(sts, Role, null, "eu-west-1", _caller, _clock);
        IAwsCredentialsSource signer = source;
        var used = await source.GetCredentialsAsync(CancellationToken.None);
        sts.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var during = new List<Task<AwsCredentials>>();
        for (var i = 0; i < 4; i++)
        {
            signer.Invalidate(used);
            during.Add(source.GetCredentialsAsync(CancellationToken.None).AsTask());
        }

        await sts.CallsReached(2);
        sts.Gate.SetResult();
        var renewed = await Task.WhenAll(during);
        var after = new List<AwsCredentials>();
        for (var i = 0; i < 4; i++)
        {
            signer.Invalidate(used);
            after.Add(await source.GetCredentialsAsync(CancellationToken.None));
        }

        Assert.Equal(2, sts.Calls.Count);
        Assert.All(renewed.Concat(after), c => Assert.Equal("token2", c.SessionToken));
    }

    [Fact]
    public async Task Invalidating_a_session_already_replaced_keeps_the_new_one()
    {
        var sts = new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1));
        var source = new AssumedRoleCredentialsSource(sts, Role, null, "eu-west-1", _caller, _clock);
        var first = await source.GetCredentialsAsync(CancellationToken.None);
        source.Invalidate(first);
        var second = await source.GetCredentialsAsync(CancellationToken.None);

        source.Invalidate(first);
        var third = await source.GetCredentialsAsync(CancellationToken.None);

        Assert.Equal("token2", second.SessionToken);
        Assert.Same(second, third);
        Assert.Equal(2, sts.Calls.Count);
    }

    /// <summary>
    /// A renewal that succeeds clears the wait a failed advisory renewal set before it: a session that comes with less
    /// than <see cref="AssumedRoleCredentialsSource.AdvisoryRefreshBefore"/> left as this host's clock reads it (one
    /// running minutes ahead of STS's) is renewed at the next call, not handed out until the failure's retry interval ends.
    /// </summary>
    [Fact]
    public async Task A_renewal_that_succeeds_clears_the_retry_interval_of_an_earlier_failed_advisory_renewal()
    {
        var sts = new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1));
        var source = new AssumedRoleCredentialsSource(sts, Role, null, "eu-west-1", _caller, _clock);
        var first = await source.GetCredentialsAsync(CancellationToken.None);
        sts.FailWith = new ReplicationException(ReplicationErrorCodes.DestinationCredentialsUnavailable, "could not assume role: Throttling", isTransient: true);
        _clock.Advance(TimeSpan.FromMinutes(55));
        var kept = await source.GetCredentialsAsync(CancellationToken.None);

        sts.FailWith = null;
        sts.SessionLength = TimeSpan.FromMinutes(4);
        source.Invalidate(first);
        var replaced = await source.GetCredentialsAsync(CancellationToken.None);
        var renewed = await source.GetCredentialsAsync(CancellationToken.None);

        Assert.Same(first, kept);
        Assert.NotSame(first, replaced);
        Assert.NotSame(replaced, renewed);
        Assert.Equal(4, sts.Calls.Count);
    }

    /// <summary>
    /// The mandatory window starts at <see cref="AssumedRoleCredentialsSource.MandatoryRefreshBefore"/> before the
    /// expiry, included ("from ... the expiry ... every caller waits"): a caller arriving while the renewal started at
    /// that instant is at STS waits for it rather than take the session about to end.
    /// </summary>
    [Fact]
    public async Task Exactly_at_the_mandatory_margin_every_caller_waits_for_the_renewal()
    {
        var sts = new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1));
        var source = new AssumedRoleCredentialsSource(sts, Role, null, "eu-west-1", _caller, _clock);
        await source.GetCredentialsAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromHours(1) - AssumedRoleCredentialsSource.MandatoryRefreshBefore);
        sts.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var renewing = source.GetCredentialsAsync(CancellationToken.None).AsTask();
        await sts.CallsReached(2);
        var other = source.GetCredentialsAsync(CancellationToken.None).AsTask();
        var otherWaited = !other.IsCompleted;
        sts.Gate.SetResult();

        Assert.True(otherWaited);
        Assert.Equal("token2", (await other).SessionToken);
        Assert.Equal("token2", (await renewing).SessionToken);
        Assert.Equal(2, sts.Calls.Count);
    }

    /// <summary>
    /// DestinationClients gives the destination's region as the fallback, which is the STS region itself for a
    /// destination in the replicator's own region: STS refused there already, asking it again only doubles the calls.
    /// </summary>
    [Fact]
    public async Task A_fallback_region_that_is_the_region_refused_is_not_asked_again()
    {
        var sts = new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1));
        sts.DisabledRegions.Add("af-south-1");
        var source = new AssumedRoleCredentialsSource(sts, Role, null, "af-south-1", _caller, _clock, fallbackRegion: "af-south-1");

        var error = await Assert.ThrowsAsync<ReplicationException>(() => source.GetCredentialsAsync(CancellationToken.None).AsTask());

        Assert.Contains("RegionDisabledException", error.Message, StringComparison.Ordinal);
        Assert.Equal(["af-south-1"], sts.Calls.Select(c => c.Region));
    }

    private sealed class RenewalObserver : IReplicationObserver
    {
        public List<(string RoleArn, string ErrorCode, DateTimeOffset Expiration)> Failures { get; } = [];

        public void CredentialsRenewalFailed(string roleArn, string errorCode, DateTimeOffset expiration)
        {
            lock (Failures)
            {
                Failures.Add((roleArn, errorCode, expiration));
            }
        }
    }
}
