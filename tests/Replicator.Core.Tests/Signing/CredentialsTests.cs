using Amazon.Runtime;
using Replicator.Core.Signing;

namespace Replicator.Core.Tests.Signing;

public sealed class CredentialsTests
{
    [Fact]
    public void ToString_never_shows_the_secret_or_the_token()
    {
        var text = TestClients.SessionCredentials.ToString();
        Assert.DoesNotContain(TestClients.SecretKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain(TestClients.SessionToken, text, StringComparison.Ordinal);
        Assert.Contains(TestClients.AccessKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain(TestClients.SecretKey, $"{new StaticCredentialsSource(TestClients.SessionCredentials)}", StringComparison.Ordinal);
    }

    [Fact]
    public void Signature_ToString_hides_the_token_header()
    {
        var signature = SigV4Signer.Sign(
            new SigV4Request("POST", "/", [], [new("host", "h")], SigV4Signer.EmptyPayloadSha256),
            TestClients.SessionCredentials,
            "eu-west-1",
            "ecr",
            TestClients.Now);
        Assert.DoesNotContain(TestClients.SessionToken, signature.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_session_token_means_long_term_credentials()
    {
        Assert.Null(new AwsCredentials("AKID", "secret", string.Empty).SessionToken);
        Assert.Throws<ArgumentException>(() => new AwsCredentials("AKID", string.Empty));
    }

    [Fact]
    public async Task Sdk_source_maps_session_credentials_and_asks_the_sdk_each_time()
    {
        var sdk = new CountingCredentials();
        var source = new AwsSdkCredentialsSource(sdk);

        var first = await source.GetCredentialsAsync(CancellationToken.None);
        var second = await source.GetCredentialsAsync(CancellationToken.None);

        Assert.Equal("AKID1", first.AccessKeyId);
        Assert.Equal("token1", first.SessionToken);
        Assert.Equal("secret", first.SecretAccessKey);
        Assert.Equal("AKID2", second.AccessKeyId);
    }

    [Fact]
    public async Task Sdk_source_without_a_token_gives_long_term_credentials()
    {
        var source = new AwsSdkCredentialsSource(new BasicAWSCredentials("AKIDBASIC", "secret"));
        var credentials = await source.GetCredentialsAsync(CancellationToken.None);
        Assert.Equal("AKIDBASIC", credentials.AccessKeyId);
        Assert.Null(credentials.SessionToken);
    }

    [Fact]
    public async Task Requests_refused_together_with_one_set_resolve_the_chain_once()
    {
        var resolutions = 0;
        var source = new AwsSdkCredentialsSource(() => Task.FromResult<AWSCredentials>(Numbered(Interlocked.Increment(ref resolutions))));
        var old = await source.GetCredentialsAsync(CancellationToken.None);

        // Four requests signed with the old set are refused as expired: the first refusal drops it and its retry
        // fetches a set again before the other three report theirs, which must not drop that one.
        source.Invalidate(old);
        var renewed = await source.GetCredentialsAsync(CancellationToken.None);
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => source.Invalidate(old))));
        var after = await source.GetCredentialsAsync(CancellationToken.None);

        Assert.Equal(2, resolutions);
        Assert.Equal("AKID2", renewed.AccessKeyId);
        Assert.Same(renewed, after);

        // All four reported before any retry: still one resolution more.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => source.Invalidate(after))));
        Assert.Equal("AKID3", (await source.GetCredentialsAsync(CancellationToken.None)).AccessKeyId);
        Assert.Equal("AKID3", (await source.GetCredentialsAsync(CancellationToken.None)).AccessKeyId);
        Assert.Equal(3, resolutions);
    }

    [Fact]
    public async Task Requests_refused_together_with_one_set_refresh_the_sdk_credentials_once()
    {
        var sdk = new CountingRefreshingCredentials();
        var source = new AwsSdkCredentialsSource(sdk);
        var old = await source.GetCredentialsAsync(CancellationToken.None);

        source.Invalidate(old);
        var renewed = await source.GetCredentialsAsync(CancellationToken.None);
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => source.Invalidate(old))));

        Assert.Same(renewed, await source.GetCredentialsAsync(CancellationToken.None));
        Assert.Equal("AKID2", renewed.AccessKeyId);
        Assert.Equal(2, sdk.Generated);
    }

    [Fact]
    public async Task Callers_arriving_while_the_chain_is_walked_wait_for_that_walk()
    {
        using var chain = new HeldChain();
        var source = chain.Source;
        var first = await chain.FirstCallHeldAsync();
        var second = source.GetCredentialsAsync(CancellationToken.None).AsTask();

        Assert.False(second.IsCompleted);
        Assert.Equal(1, chain.Resolutions);
        chain.Gate.Set();
        Assert.Equal("AKID1", (await first).AccessKeyId);
        Assert.Equal("AKID1", (await second).AccessKeyId);
        Assert.Equal(1, chain.Resolutions);
    }

    [Fact]
    public async Task An_invalidation_during_a_walk_of_the_chain_leaves_no_caller_without_credentials()
    {
        using var chain = new HeldChain();
        var source = chain.Source;
        var first = await chain.FirstCallHeldAsync();

        // The walk under way started before the invalidation: the caller waiting for it still gets its result, and the
        // next caller walks the chain again.
        source.Invalidate();

        // Bounded: a call that joined the held walk instead would wait for the gate this test opens only after it.
        var second = await source.GetCredentialsAsync(CancellationToken.None).AsTask().WaitAsync(HeldChain.Bound);
        chain.Gate.Set();
        var stale = await first.WaitAsync(HeldChain.Bound);

        Assert.Equal("AKID1", stale.AccessKeyId);
        Assert.Equal("AKID2", second.AccessKeyId);

        // The set from the older walk was never the cached one: its refusal drops nothing.
        source.Invalidate(stale);
        Assert.Same(second, await source.GetCredentialsAsync(CancellationToken.None));
        Assert.Equal(2, chain.Resolutions);
    }

    /// <summary>
    /// A walk of the chain that failed (no credentials yet, the metadata endpoint down) is not kept: the next call walks
    /// it again, and once it succeeds that set is the one kept.
    /// </summary>
    [Fact]
    public async Task A_failed_walk_of_the_chain_is_walked_again_on_the_next_call()
    {
        var resolutions = 0;
        var source = new AwsSdkCredentialsSource(() => Interlocked.Increment(ref resolutions) == 1
            ? Task.FromException<AWSCredentials>(new AmazonClientException("Unable to get IAM security credentials from EC2 Instance Metadata Service."))
            : Task.FromResult<AWSCredentials>(Numbered(resolutions)));

        await Assert.ThrowsAsync<AmazonClientException>(() => source.GetCredentialsAsync(CancellationToken.None).AsTask());
        var recovered = await source.GetCredentialsAsync(CancellationToken.None);

        Assert.Equal("AKID2", recovered.AccessKeyId);
        Assert.Same(recovered, await source.GetCredentialsAsync(CancellationToken.None));
        Assert.Equal(2, resolutions);
    }

    private static SessionAWSCredentials Numbered(int n) => new("AKID" + n, "secret", "token" + n);

    // A source over a chain whose first walk is held in its synchronous part (a profile file read, an environment
    // lookup) until Gate is set. Later walks answer at once.
    private sealed class HeldChain : IDisposable
    {
        private readonly SemaphoreSlim _walking = new(0);
        private int _resolutions;

        public HeldChain()
        {
            Source = new AwsSdkCredentialsSource(ResolveAsync);
        }

        public AwsSdkCredentialsSource Source { get; }

        public ManualResetEventSlim Gate { get; } = new();

        public int Resolutions => Volatile.Read(ref _resolutions);

        /// <summary>The first call, on another thread, once it is held inside the walk.</summary>
        public async Task<Task<AwsCredentials>> FirstCallHeldAsync()
        {
            var first = Task.Run(() => Source.GetCredentialsAsync(CancellationToken.None).AsTask());
            await _walking.WaitAsync();
            return first;
        }

        private Task<AWSCredentials> ResolveAsync()
        {
            var n = Interlocked.Increment(ref _resolutions);
            if (n == 1)
            {
                _walking.Release();
                Gate.Wait();
            }

            return Task.FromResult<AWSCredentials>(Numbered(n));
        }

        /// <summary>How long a test waits for a call that should answer at once: failing, not hanging, when it does not.</summary>
        public static readonly TimeSpan Bound = TimeSpan.FromMinutes(1);

        // The gate is opened, not disposed: a walk a failed test left held is released rather than left waiting on a
        // disposed event for the rest of the run.
        public void Dispose()
        {
            Gate.Set();
            _walking.Dispose();
        }
    }

    // Stands for the SDK's role or SSO credentials: a cached set, generated again after ClearCredentials.
    private sealed class CountingRefreshingCredentials : RefreshingAWSCredentials
    {
        private int _generated;

        public int Generated => Volatile.Read(ref _generated);

        protected override CredentialsRefreshState GenerateNewCredentials()
        {
            var n = Interlocked.Increment(ref _generated);
            return new CredentialsRefreshState(new ImmutableCredentials("AKID" + n, "secret", "token" + n), DateTime.UtcNow.AddHours(1));
        }

        protected override Task<CredentialsRefreshState> GenerateNewCredentialsAsync() => Task.FromResult(GenerateNewCredentials());
    }

    // Stands for the SDK's refreshing credentials (role, SSO, IMDS): each call may hand out a new set.
    private sealed class CountingCredentials : AWSCredentials
    {
        private int _calls;

        public override ImmutableCredentials GetCredentials()
        {
            var n = Interlocked.Increment(ref _calls);
            return new ImmutableCredentials("AKID" + n, "secret", "token" + n);
        }
    }
}
