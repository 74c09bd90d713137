using System.Net;
using Amazon.Runtime;
using Microsoft.Extensions.Time.Testing;
using Replicator.Core.Destinations;
using Replicator.Core.Errors;
using Replicator.Core.Replication;

namespace Replicator.Core.Tests.Destinations;

public sealed class SsmCredentialsSourceTests
{
    private const string Parameter = "/replicator/cn";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task The_key_pair_is_used_as_is_and_read_again_after_its_lifetime()
    {
        var store = new FakeParameterStore { [Parameter] = Keys("AKIAFIRST", Secret) };
        var sts = new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1));
        var source = new SsmCredentialsSource(store, sts, Parameter, "cn-north-1", _clock, TimeSpan.FromMinutes(15));

        var first = await source.GetCredentialsAsync(CancellationToken.None);
        store[Parameter] = Keys("AKIAROTATED", "rotated-secret");
        _clock.Advance(TimeSpan.FromMinutes(14));
        var cached = await source.GetCredentialsAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(1));
        var rotated = await source.GetCredentialsAsync(CancellationToken.None);

        Assert.Equal(("AKIAFIRST", Secret, (string?)null), (first.AccessKeyId, first.SecretAccessKey, first.SessionToken));
        Assert.Equal("AKIAFIRST", cached.AccessKeyId);
        Assert.Equal(("AKIAROTATED", "rotated-secret"), (rotated.AccessKeyId, rotated.SecretAccessKey));
        Assert.Equal(2, store.Reads);
        Assert.Empty(sts.Calls);
    }

    [Fact]
    public async Task A_role_in_the_parameter_is_assumed_with_its_keys_in_the_destination_region()
    {
        const string role = "arn:aws-cn:iam::444444444444:role/writer";
        var store = new FakeParameterStore { [Parameter] = Keys("AKIACN", Secret, role) };
        var sts = new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1));
        var source = new SsmCredentialsSource(store, sts, Parameter, "cn-northwest-1", _clock);

        var credentials = await source.GetCredentialsAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(20));
        await source.GetCredentialsAsync(CancellationToken.None);

        Assert.Equal("token1", credentials.SessionToken);
        Assert.Equal([(role, (string?)null, "cn-northwest-1", "AKIACN")], sts.Calls);
        Assert.Equal(2, store.Reads);
    }

    [Fact]
    public async Task Concurrent_callers_share_one_read_of_the_parameter()
    {
        var store = new FakeParameterStore { [Parameter] = Keys("AKIAFIRST", Secret), Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var source = new SsmCredentialsSource(store, new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1)), Parameter, "cn-north-1", _clock);

        var calls = Enumerable.Range(0, 8).Select(_ => source.GetCredentialsAsync(CancellationToken.None).AsTask()).ToList();
        store.Gate.SetResult();
        var results = await Task.WhenAll(calls);

        Assert.Equal(1, store.Reads);
        Assert.All(results, r => Assert.Equal("AKIAFIRST", r.AccessKeyId));
    }

    /// <summary>
    /// A read again that SSM is slow to answer holds up only the caller that started it: the others go on with the keys
    /// last read, and that caller gets the rotated ones. Before, every upload of the destination waited for the read.
    /// </summary>
    [Fact]
    public async Task While_a_read_again_runs_only_its_caller_waits_and_the_others_keep_the_last_keys()
    {
        var store = new FakeParameterStore { [Parameter] = Keys("AKIAFIRST", Secret) };
        var source = new SsmCredentialsSource(store, new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1)), Parameter, "cn-north-1", _clock, TimeSpan.FromMinutes(15));
        await source.GetCredentialsAsync(CancellationToken.None);
        store[Parameter] = Keys("AKIAROTATED", "rotated-secret");
        store.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _clock.Advance(TimeSpan.FromMinutes(15));

        var reader = source.GetCredentialsAsync(CancellationToken.None).AsTask();
        var others = Enumerable.Range(0, 4).Select(_ => source.GetCredentialsAsync(CancellationToken.None).AsTask()).ToList();

        Assert.False(reader.IsCompleted);
        foreach (var other in others)
        {
            Assert.True(other.IsCompletedSuccessfully);
            Assert.Equal("AKIAFIRST", (await other).AccessKeyId);
        }

        store.Gate.SetResult();
        Assert.Equal("AKIAROTATED", (await reader).AccessKeyId);
        Assert.Equal("AKIAROTATED", (await source.GetCredentialsAsync(CancellationToken.None)).AccessKeyId);
        Assert.Equal(2, store.Reads);
    }

    /// <summary>
    /// A caller that found the keys due and reaches the read again just after it finished takes the keys that read
    /// brought, not the ones it saw before: those are no longer the keys last read. The read is made to finish in that
    /// gap, at the caller's reading of the clock between the two steps; on a thread without a synchronization context,
    /// so the read's continuations run there and then.
    /// </summary>
    [Fact]
    public Task A_caller_that_reaches_a_read_again_just_after_it_finished_takes_the_keys_it_read() => Task.Run(async () =>
    {
        var clock = new HookedClock(_clock.GetUtcNow());
        var store = new FakeParameterStore { [Parameter] = Keys("AKIAFIRST", Secret) };
        var source = new SsmCredentialsSource(store, new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1)), Parameter, "cn-north-1", clock, TimeSpan.FromMinutes(15));
        await source.GetCredentialsAsync(CancellationToken.None);
        store[Parameter] = Keys("AKIAROTATED", "rotated-secret");
        var gate = new TaskCompletionSource();
        store.Gate = gate;
        clock.Advance(TimeSpan.FromMinutes(15));
        var reader = source.GetCredentialsAsync(CancellationToken.None).AsTask();
        Assert.False(reader.IsCompleted);

        clock.OnNextReading = gate.SetResult;
        var late = await source.GetCredentialsAsync(CancellationToken.None);

        Assert.Equal("AKIAROTATED", late.AccessKeyId);
        Assert.Equal("AKIAROTATED", (await reader).AccessKeyId);
        Assert.Equal(2, store.Reads);
    });

    /// <summary>Keys past the max age are no fallback: every caller waits for the read, as for the first one.</summary>
    [Fact]
    public async Task Past_the_max_age_every_caller_waits_for_the_read_again()
    {
        var store = new FakeParameterStore { [Parameter] = Keys("AKIAFIRST", Secret) };
        var source = new SsmCredentialsSource(store, new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1)), Parameter, "cn-north-1", _clock, TimeSpan.FromMinutes(15), maxParameterAge: TimeSpan.FromMinutes(30));
        await source.GetCredentialsAsync(CancellationToken.None);
        store[Parameter] = Keys("AKIAROTATED", "rotated-secret");
        store.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _clock.Advance(TimeSpan.FromMinutes(30));

        var calls = Enumerable.Range(0, 4).Select(_ => source.GetCredentialsAsync(CancellationToken.None).AsTask()).ToList();

        Assert.All(calls, c => Assert.False(c.IsCompleted));
        store.Gate.SetResult();
        Assert.All(await Task.WhenAll(calls), c => Assert.Equal("AKIAROTATED", c.AccessKeyId));
        Assert.Equal(2, store.Reads);
    }

    [Fact]
    public async Task A_caller_still_using_the_old_role_after_a_key_rotation_finishes_its_refresh()
    {
        // Sessions of 15 minutes, parameter read every 15 minutes: at 11 minutes the session is due for renewal
        // while the parameter is still fresh, so a caller renews the old key's session and is held in STS ...
        const string role = "arn:aws-cn:iam::444444444444:role/writer";
        var store = new FakeParameterStore { [Parameter] = Keys("AKIAFIRST", Secret, role) };
        var sts = new FakeSecurityTokenService(_clock, TimeSpan.FromMinutes(15));
        var source = new SsmCredentialsSource(store, sts, Parameter, "cn-north-1", _clock, TimeSpan.FromMinutes(15));
        await source.GetCredentialsAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(11));
        sts.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = source.GetCredentialsAsync(CancellationToken.None).AsTask();
        await sts.CallsReached(2);

        // ... when the parameter's lifetime ends, the key has been rotated and another caller swaps the role.
        _clock.Advance(TimeSpan.FromMinutes(4));
        store[Parameter] = Keys("AKIAROTATED", "rotated-secret", role);
        var rotated = source.GetCredentialsAsync(CancellationToken.None).AsTask();
        await sts.CallsReached(3);
        sts.Gate.SetResult();

        var held = await holding;
        var fresh = await rotated;

        Assert.Equal(2, store.Reads);
        Assert.Equal(["AKIAFIRST", "AKIAFIRST", "AKIAROTATED"], sts.Calls.Select(c => c.CallerKey));
        Assert.NotNull(held.SessionToken);
        Assert.NotNull(fresh.SessionToken);
        Assert.NotEqual(held.SessionToken, fresh.SessionToken);
    }

    [Theory]
    [InlineData("not json " + Secret, "is not JSON")]
    [InlineData("[\"" + Secret + "\"]", "is not a JSON object")]
    [InlineData("{\"SecretAccessKey\":\"" + Secret + "\"}", "has no AccessKeyId")]
    [InlineData("{\"AccessKeyId\":\"AKIA\",\"SecretAccessKey\":42}", "has a SecretAccessKey that is not a non-empty string")]
    [InlineData("{\"AccessKeyId\":\"AKIA\",\"SecretAccessKey\":\"\\ud800" + Secret + "\"}", "is malformed: its SecretAccessKey is not valid Unicode text")]
    [InlineData("{\"AccessKeyId\":\"AKIA\",\"SecretAccessKey\":\"" + Secret + "\",\"RoleArn\":\"arn:aws:iam::444444444444:role/x\"}", "partition aws-cn")]
    [InlineData("{\"AccessKeyId\":\"AKIA\",\"SecretAccessKey\":\"" + Secret + "\",\"RoleArn\":\"arn:aws-cn:iam::444444444444:role/x " + Secret + "\"}", "partition aws-cn")]
    [InlineData("{\"AccessKeyId\":\"ASIA\",\"SecretAccessKey\":\"" + Secret + "\",\"SessionToken\":\"" + Secret + "\"}", "holds temporary credentials (a SessionToken), not the long-term access key of an IAM user")]
    [InlineData("{\"AccessKeyId\":\"AKIAEXAMPLE000000001\\n\",\"SecretAccessKey\":\"" + Secret + "\"}", "has an AccessKeyId with characters no access key id has")]
    [InlineData("{\"AccessKeyId\":\" AKIAEXAMPLE000000001\",\"SecretAccessKey\":\"" + Secret + "\"}", "has an AccessKeyId with characters no access key id has")]
    [InlineData("{\"AccessKeyId\":\"AKIAEXAMPLE000000001\",\"SecretAccessKey\":\"" + Secret + "\\n\"}", "has a SecretAccessKey with whitespace, control or non-ASCII characters")]
    [InlineData("{\"AccessKeyId\":\"AKIAEXAMPLE000000001\",\"SecretAccessKey\":\"" + Secret + " \"}", "has a SecretAccessKey with whitespace, control or non-ASCII characters")]
    [InlineData("{\"AccessKeyId\":\"AKIAEXAMPLE000000001\",\"SecretAccessKey\":\"\u00a0" + Secret + "\"}", "has a SecretAccessKey with whitespace, control or non-ASCII characters")]
    public async Task A_malformed_parameter_is_a_permanent_error_that_never_shows_the_value(string value, string expected)
    {
        var store = new FakeParameterStore { [Parameter] = value };
        var source = new SsmCredentialsSource(store, new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1)), Parameter, "cn-north-1", _clock);

        var error = await Assert.ThrowsAsync<ReplicationException>(() => source.GetCredentialsAsync(CancellationToken.None).AsTask());

        Assert.Equal(ReplicationErrorCodes.DestinationCredentialsUnavailable, error.ErrorCode);
        Assert.False(error.IsTransient);
        Assert.Contains(Parameter, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("AKIA\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalidate_reads_the_parameter_again()
    {
        var store = new FakeParameterStore { [Parameter] = Keys("AKIAFIRST", Secret) };
        var source = new SsmCredentialsSource(store, new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1)), Parameter, "cn-north-1", _clock);
        await source.GetCredentialsAsync(CancellationToken.None);
        store[Parameter] = Keys("AKIAROTATED", "rotated");

        source.Invalidate();

        Assert.Equal("AKIAROTATED", (await source.GetCredentialsAsync(CancellationToken.None)).AccessKeyId);
    }

    [Fact]
    public async Task A_refused_session_of_the_parameters_role_is_assumed_again_without_reading_the_parameter()
    {
        const string role = "arn:aws-cn:iam::444444444444:role/ecr-writer";
        var store = new FakeParameterStore { [Parameter] = Keys("AKIAFIRST", Secret, role) };
        var sts = new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1));
        var source = new SsmCredentialsSource(store, sts, Parameter, "cn-north-1", _clock);
        Replicator.Core.Signing.IAwsCredentialsSource signer = source;
        var session = await source.GetCredentialsAsync(CancellationToken.None);

        // ECR answered ExpiredTokenException (a session revoked early): the key is fine, so SSM is not asked.
        signer.Invalidate(session);
        var renewed = await source.GetCredentialsAsync(CancellationToken.None);

        Assert.NotEqual(session.SessionToken, renewed.SessionToken);
        Assert.Equal(1, store.Reads);
        Assert.Equal(["AKIAFIRST", "AKIAFIRST"], sts.Calls.Select(c => c.CallerKey));
    }

    [Fact]
    public async Task Keys_ECR_refused_while_a_read_again_runs_are_not_kept_when_that_read_fails()
    {
        var store = new FakeParameterStore { [Parameter] = Keys("AKIAFIRST", Secret) };
        var source = new SsmCredentialsSource(store, new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1)), Parameter, "cn-north-1", _clock);
        var refused = await source.GetCredentialsAsync(CancellationToken.None);
        _clock.Advance(SsmCredentialsSource.DefaultParameterLifetime + TimeSpan.FromMinutes(1));
        store.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.Failure = Throttled();

        // The read again starts (held); ECR refuses the keys (deleted), and the retry joins that read.
        var reading = source.GetCredentialsAsync(CancellationToken.None).AsTask();
        ((Replicator.Core.Signing.IAwsCredentialsSource)source).Invalidate(refused);
        var retry = source.GetCredentialsAsync(CancellationToken.None).AsTask();
        store.Gate.SetResult();

        // A throttled read falls back to the keys last read, but not to keys known to be refused.
        Assert.True((await Assert.ThrowsAsync<ReplicationException>(() => retry)).IsTransient);
        await Assert.ThrowsAsync<ReplicationException>(() => reading);
        Assert.Equal(2, store.Reads);
    }

    [Fact]
    public async Task Invalidating_keys_already_read_again_reads_the_parameter_no_more()
    {
        var store = new FakeParameterStore { [Parameter] = Keys("AKIAFIRST", Secret) };
        var source = new SsmCredentialsSource(store, new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1)), Parameter, "cn-north-1", _clock);
        Replicator.Core.Signing.IAwsCredentialsSource signer = source;
        var used = await source.GetCredentialsAsync(CancellationToken.None);
        store[Parameter] = Keys("AKIAROTATED", "rotated");

        // Two requests signed with the first keys are refused together: the first failure reads the parameter again,
        // the second finds the rotated keys already there.
        signer.Invalidate(used);
        var rotated = await source.GetCredentialsAsync(CancellationToken.None);
        signer.Invalidate(used);
        var kept = await source.GetCredentialsAsync(CancellationToken.None);

        Assert.Equal("AKIAROTATED", rotated.AccessKeyId);
        Assert.Same(rotated, kept);
        Assert.Equal(2, store.Reads);
    }

    /// <summary>
    /// The key was rotated in the parameter and the old one deleted before the cached read expired: ECR answers
    /// UnrecognizedClientException. The client reads the parameter once more and sends again with the new key, rather
    /// than fail every copy until the read expires.
    /// </summary>
    [Fact]
    public async Task A_deleted_key_refused_by_ECR_reads_the_parameter_again_and_sends_once_more()
    {
        var store = new FakeParameterStore { [Parameter] = Keys("AKIAOLD", Secret) };
        var source = new SsmCredentialsSource(store, new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1)), Parameter, "cn-north-1", _clock);
        var handler = new RecordingHandler()
            .Respond(HttpStatusCode.BadRequest, """{"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."}""")
            .RespondOk("""{"images":[],"failures":[]}""");
        var client = new Replicator.Core.Ecr.EcrClient(new HttpClient(handler), source, new Replicator.Core.Ecr.EcrClientConfig("cn-north-1"), _clock);
        await source.GetCredentialsAsync(CancellationToken.None);
        store[Parameter] = Keys("AKIANEW", "rotated-secret");

        await client.BatchGetImageAsync(new Replicator.Core.Ecr.Model.BatchGetImageRequest { RepositoryName = "app", ImageIds = [new() { ImageTag = "v1" }] });

        Assert.Equal(2, handler.Requests.Count);
        Assert.Contains("Credential=AKIAOLD/", handler.Requests[0].Header("Authorization"), StringComparison.Ordinal);
        Assert.Contains("Credential=AKIANEW/", handler.Requests[1].Header("Authorization"), StringComparison.Ordinal);
        Assert.Equal(2, store.Reads);
    }

    /// <summary>As above with a role in the parameter: STS refuses the deleted key (InvalidClientTokenId) when the role's session is renewed.</summary>
    [Fact]
    public async Task A_deleted_key_refused_by_STS_reads_the_parameter_again_and_assumes_the_role_with_the_new_key()
    {
        const string role = "arn:aws-cn:iam::444444444444:role/writer";
        var store = new FakeParameterStore { [Parameter] = Keys("AKIAOLD", Secret, role) };
        var sts = new FakeSecurityTokenService(_clock, TimeSpan.FromMinutes(10));
        var source = new SsmCredentialsSource(store, sts, Parameter, "cn-north-1", _clock, TimeSpan.FromMinutes(15));
        await source.GetCredentialsAsync(CancellationToken.None);
        store[Parameter] = Keys("AKIANEW", "rotated-secret", role);
        sts.RefusedKeys.Add("AKIAOLD");

        // The session has expired, the parameter's read has not: the renewal signs with the deleted key.
        _clock.Advance(TimeSpan.FromMinutes(10));
        var renewed = await source.GetCredentialsAsync(CancellationToken.None);

        Assert.Equal("token2", renewed.SessionToken);
        Assert.Equal(["AKIAOLD", "AKIAOLD", "AKIANEW"], sts.Calls.Select(c => c.CallerKey));
        Assert.Equal(2, store.Reads);
    }

    /// <summary>SSM throttling, wrapped as the real store wraps it (SsmParameterStore).</summary>
    private static ReplicationException Throttled() => ServiceFailures.Wrap(
        new AmazonServiceException("Rate exceeded") { ErrorCode = "ThrottlingException", StatusCode = HttpStatusCode.BadRequest },
        $"read SSM parameter {Parameter}",
        ServiceFailures.DescribeEndpoint("SSM", null, "us-east-1"),
        CancellationToken.None);

    [Fact]
    public async Task A_throttled_read_keeps_the_last_keys_reports_it_and_asks_again_after_the_retry_interval()
    {
        var store = new FakeParameterStore { [Parameter] = Keys("AKIAFIRST", Secret) };
        var observer = new RecordingObserver();
        var source = new SsmCredentialsSource(store, new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1)), Parameter, "cn-north-1", _clock, TimeSpan.FromMinutes(15), observer);
        var readAt = _clock.GetUtcNow();
        await source.GetCredentialsAsync(CancellationToken.None);

        _clock.Advance(TimeSpan.FromMinutes(15));
        store.Failure = Throttled();
        var kept = await source.GetCredentialsAsync(CancellationToken.None);
        var meanwhile = await source.GetCredentialsAsync(CancellationToken.None);

        Assert.Equal(("AKIAFIRST", Secret), (kept.AccessKeyId, kept.SecretAccessKey));
        Assert.Equal("AKIAFIRST", meanwhile.AccessKeyId);
        Assert.Equal(2, store.Reads); // the second call did not ask SSM again
        Assert.Equal([(Parameter, "ThrottlingException", readAt + SsmCredentialsSource.DefaultMaxParameterAge)], observer.Failures);

        // After the retry interval SSM is asked again; once it answers, the rotated key is used.
        _clock.Advance(SsmCredentialsSource.RereadRetryInterval);
        store.Failure = null;
        store[Parameter] = Keys("AKIAROTATED", "rotated-secret");
        var rotated = await source.GetCredentialsAsync(CancellationToken.None);

        Assert.Equal("AKIAROTATED", rotated.AccessKeyId);
        Assert.Equal(3, store.Reads);
        Assert.Single(observer.Failures);
    }

    /// <summary>
    /// A failed read with no service code (SSM unreachable, no answer in time) is reported by what failed, the wrapped
    /// exception's type, not by the wrapper's code that every failure shares: the operator's log tells an unreachable
    /// endpoint from throttling. With nothing wrapped, the failure's own code.
    /// </summary>
    [Theory]
    [InlineData("unreachable", "HttpRequestException")]
    [InlineData("timeout", "TaskCanceledException")]
    [InlineData("bare", ReplicationErrorCodes.DestinationCredentialsUnavailable)]
    public async Task A_failed_read_without_a_service_code_is_reported_by_what_failed(string failure, string reported)
    {
        var store = new FakeParameterStore { [Parameter] = Keys("AKIAFIRST", Secret) };
        var observer = new RecordingObserver();
        var source = new SsmCredentialsSource(store, new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1)), Parameter, "cn-north-1", _clock, TimeSpan.FromMinutes(15), observer);
        await source.GetCredentialsAsync(CancellationToken.None);
        var endpoint = ServiceFailures.DescribeEndpoint("SSM", null, "us-east-1");
        store.Failure = failure switch
        {
            "unreachable" => ServiceFailures.Wrap(new HttpRequestException("Connection refused"), $"read SSM parameter {Parameter}", endpoint, CancellationToken.None),
            "timeout" => ServiceFailures.Wrap(new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout"), $"read SSM parameter {Parameter}", endpoint, CancellationToken.None),
            _ => new ReplicationException(ReplicationErrorCodes.DestinationCredentialsUnavailable, $"could not read SSM parameter {Parameter}", isTransient: true),
        };

        _clock.Advance(TimeSpan.FromMinutes(15));
        var kept = await source.GetCredentialsAsync(CancellationToken.None);

        Assert.Equal("AKIAFIRST", kept.AccessKeyId);
        Assert.Equal(reported, Assert.Single(observer.Failures).ErrorCode);
    }

    [Fact]
    public async Task Past_the_max_age_a_failed_read_fails_the_copy_and_says_why()
    {
        var store = new FakeParameterStore { [Parameter] = Keys("AKIAFIRST", Secret) };
        var observer = new RecordingObserver();
        var source = new SsmCredentialsSource(store, new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1)), Parameter, "cn-north-1", _clock, TimeSpan.FromMinutes(15), observer, maxParameterAge: TimeSpan.FromMinutes(45));
        await source.GetCredentialsAsync(CancellationToken.None);
        store.Failure = Throttled();

        _clock.Advance(TimeSpan.FromMinutes(44));
        Assert.Equal("AKIAFIRST", (await source.GetCredentialsAsync(CancellationToken.None)).AccessKeyId);
        _clock.Advance(TimeSpan.FromMinutes(1));
        var error = await Assert.ThrowsAsync<ReplicationException>(() => source.GetCredentialsAsync(CancellationToken.None).AsTask());

        Assert.Equal(ReplicationErrorCodes.DestinationCredentialsUnavailable, error.ErrorCode);
        Assert.True(error.IsTransient);
        Assert.Contains(Parameter, error.Message, StringComparison.Ordinal);
        Assert.Contains("ThrottlingException", error.Message, StringComparison.Ordinal);
        Assert.Contains("past the 45 minutes", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("AKIAFIRST", error.ToString(), StringComparison.Ordinal);
        Assert.Single(observer.Failures);
    }

    [Fact]
    public async Task A_deleted_parameter_is_not_covered_by_the_last_keys()
    {
        var store = new FakeParameterStore { [Parameter] = Keys("AKIAFIRST", Secret) };
        var observer = new RecordingObserver();
        var source = new SsmCredentialsSource(store, new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1)), Parameter, "cn-north-1", _clock, TimeSpan.FromMinutes(15), observer);
        await source.GetCredentialsAsync(CancellationToken.None);
        store.Remove(Parameter);

        _clock.Advance(TimeSpan.FromMinutes(15));
        var error = await Assert.ThrowsAsync<ReplicationException>(() => source.GetCredentialsAsync(CancellationToken.None).AsTask());

        Assert.False(error.IsTransient);
        Assert.Empty(observer.Failures);
    }

    [Fact]
    public async Task A_first_read_that_fails_has_nothing_to_fall_back_on()
    {
        var store = new FakeParameterStore { [Parameter] = Keys("AKIAFIRST", Secret), Failure = Throttled() };
        var source = new SsmCredentialsSource(store, new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1)), Parameter, "cn-north-1", _clock);

        var error = await Assert.ThrowsAsync<ReplicationException>(() => source.GetCredentialsAsync(CancellationToken.None).AsTask());

        Assert.True(error.IsTransient);
        Assert.DoesNotContain("past the", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_observer_that_knows_only_role_renewals_is_told_of_the_parameter()
    {
        // The function's log observer reports CredentialsRenewalFailed; a failed read reaches it naming the parameter.
        var store = new FakeParameterStore { [Parameter] = Keys("AKIAFIRST", Secret) };
        var observer = new RenewalObserver();
        var source = new SsmCredentialsSource(store, new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1)), Parameter, "cn-north-1", _clock, observer: observer);
        await source.GetCredentialsAsync(CancellationToken.None);
        store.Failure = Throttled();
        _clock.Advance(SsmCredentialsSource.DefaultParameterLifetime);

        await source.GetCredentialsAsync(CancellationToken.None);

        Assert.Equal([($"SSM parameter {Parameter}", "ThrottlingException")], observer.Renewals);
    }

    /// <summary>
    /// The wait of <see cref="SsmCredentialsSource.RereadRetryInterval"/> after a failed read does not stretch
    /// <see cref="SsmCredentialsSource.MaxParameterAge"/>: a read failing 10 seconds before the keys reach it is followed,
    /// at that age, by a read whose failure fails the copy, not by 20 more seconds of the old keys.
    /// </summary>
    [Fact]
    public async Task The_wait_after_a_failed_read_does_not_stretch_the_max_age()
    {
        var store = new FakeParameterStore { [Parameter] = Keys("AKIAFIRST", Secret) };
        var source = new SsmCredentialsSource(store, new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1)), Parameter, "cn-north-1", _clock, TimeSpan.FromMinutes(15), maxParameterAge: TimeSpan.FromMinutes(45));
        await source.GetCredentialsAsync(CancellationToken.None);
        store.Failure = Throttled();

        _clock.Advance(TimeSpan.FromMinutes(45) - TimeSpan.FromSeconds(10));
        var kept = await source.GetCredentialsAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(10));
        var error = await Assert.ThrowsAsync<ReplicationException>(() => source.GetCredentialsAsync(CancellationToken.None).AsTask());

        Assert.Equal("AKIAFIRST", kept.AccessKeyId);
        Assert.Contains("past the 45 minutes", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, store.Reads);
    }

    /// <summary>
    /// A maximum age equal to the lifetime is allowed and keeps nothing past it: the first failed read at the lifetime
    /// fails the copy. A shorter one could never be reached, and is refused by name.
    /// </summary>
    [Fact]
    public async Task A_max_age_equal_to_the_lifetime_keeps_no_keys_past_a_failed_read_and_a_shorter_one_is_refused()
    {
        var store = new FakeParameterStore { [Parameter] = Keys("AKIAFIRST", Secret) };
        var sts = new FakeSecurityTokenService(_clock, TimeSpan.FromHours(1));
        var source = new SsmCredentialsSource(store, sts, Parameter, "cn-north-1", _clock, TimeSpan.FromMinutes(15), maxParameterAge: TimeSpan.FromMinutes(15));
        await source.GetCredentialsAsync(CancellationToken.None);
        store.Failure = Throttled();
        _clock.Advance(TimeSpan.FromMinutes(15));

        await Assert.ThrowsAsync<ReplicationException>(() => source.GetCredentialsAsync(CancellationToken.None).AsTask());
        var refused = Assert.Throws<ArgumentOutOfRangeException>(() => new SsmCredentialsSource(store, sts, Parameter, "cn-north-1", _clock, TimeSpan.FromMinutes(15), maxParameterAge: TimeSpan.FromMinutes(15) - TimeSpan.FromTicks(1)));
        Assert.Equal("maxParameterAge", refused.ParamName);
    }

    /// <summary>A clock that runs <see cref="OnNextReading"/> once, at its next reading, before it answers.</summary>
    private sealed class HookedClock(DateTimeOffset start) : FakeTimeProvider(start)
    {
        public Action? OnNextReading { get; set; }

        public override DateTimeOffset GetUtcNow()
        {
            var hook = OnNextReading;
            OnNextReading = null;
            hook?.Invoke();
            return base.GetUtcNow();
        }
    }

    private sealed class RenewalObserver : IReplicationObserver
    {
        public List<(string Subject, string ErrorCode)> Renewals { get; } = [];

        public void CredentialsRenewalFailed(string roleArn, string errorCode, DateTimeOffset expiration)
        {
            lock (Renewals)
            {
                Renewals.Add((roleArn, errorCode));
            }
        }
    }

    private sealed class RecordingObserver : IReplicationObserver
    {
        public List<(string Parameter, string ErrorCode, DateTimeOffset KeptUntil)> Failures { get; } = [];

        public void CredentialsRereadFailed(string parameterName, string errorCode, DateTimeOffset keptUntil)
        {
            lock (Failures)
            {
                Failures.Add((parameterName, errorCode, keptUntil));
            }
        }
    }

    internal static string Keys(string id, string secret, string? role = null) =>
        role is null
            ? $"{{\"AccessKeyId\":\"{id}\",\"SecretAccessKey\":\"{secret}\"}}"
            : $"{{\"AccessKeyId\":\"{id}\",\"SecretAccessKey\":\"{secret}\",\"RoleArn\":\"{role}\"}}";

    internal sealed class FakeParameterStore : Dictionary<string, string>, ISecureParameterStore
    {
        private int _reads;

        public int Reads => _reads;

        /// <summary>When set, every read waits for it: callers pile up behind a read in progress.</summary>
        public TaskCompletionSource? Gate { get; set; }

        /// <summary>When set, every read fails with it (SSM throttled or down).</summary>
        public Exception? Failure { get; set; }

        public async Task<string> GetSecureStringAsync(string name, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reads);
            if (Gate is not null)
            {
                await Gate.Task.WaitAsync(cancellationToken);
            }

            if (Failure is not null)
            {
                throw Failure;
            }

            return TryGetValue(name, out var value)
                ? value
                : throw new ReplicationException(ReplicationErrorCodes.DestinationCredentialsUnavailable, $"SSM parameter {name} does not exist", isTransient: false);
        }
    }
}
