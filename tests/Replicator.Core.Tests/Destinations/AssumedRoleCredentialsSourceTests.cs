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
        using var source = new AssumedRoleCredentialsSource(sts, Role, "ext-1", "eu-west-1", _caller, _clock);

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
        using var source = new AssumedRoleCredentialsSource(sts, Role, null, "eu-west-1", _caller, _clock);

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
        using var source = new AssumedRoleCredentialsSource(sts, Role, null, "eu-west-1", _caller, _clock);

        var calls = Enumerable.Range(0, 8).Select(_ => source.GetCredentialsAsync(CancellationToken.None).AsTask()).ToList();
        sts.Gate.SetResult();
        var results = await Task.WhenAll(calls);

        Assert.Single(sts.Calls);
        Assert.All(results, r => Assert.Equal("token1", r.SessionToken));
    }

    [Fact]
    public async Task A_failed_refresh_keeps_a_session_that_still_works_and_fails_once_it_has_expired()
    {
        var sts = new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1));
        using var source = new AssumedRoleCredentialsSource(sts, Role, null, "eu-west-1", _caller, _clock);
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
    public async Task Invalidate_forces_a_new_session()
    {
        var sts = new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1));
        using var source = new AssumedRoleCredentialsSource(sts, Role, null, "eu-west-1", _caller, _clock);
        await source.GetCredentialsAsync(CancellationToken.None);

        source.Invalidate();
        var next = await source.GetCredentialsAsync(CancellationToken.None);

        Assert.Equal("token2", next.SessionToken);
    }
}
