using System.Net;
using System.Text;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Replication;
using Replicator.Core.Resilience;
using Xunit.Abstractions;

namespace Replicator.Core.Tests.Resilience;

/// <summary>
/// PutImage's adaptive rate limiting where the engine puts it: inside the retry policy of the destination clients
/// (<see cref="RetryingDestinationClients"/>), one limiter per destination registry and region, against a fake ECR
/// that throttles PutImage above ECR's quota of 10 a second, on a virtual clock.
/// </summary>
public sealed class AdaptiveRateLimiterTests(ITestOutputHelper output)
{
    private const string West = "us-west-2";
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly PutImageRequest Put = new() { RepositoryName = "app", ImageManifest = "{}", ImageTag = "v1" };

    [Fact]
    public async Task Every_attempt_retries_included_takes_a_token_and_each_throttle_slows_the_next()
    {
        var clock = new VirtualTimeRunner(Start);
        var ecr = new QuotaHandler(clock) { ThrottleFirst = 2 };
        var noBackoff = new RetrySettings { BaseDelay = TimeSpan.Zero, ThrottlingBaseDelay = TimeSpan.Zero };
        var clients = Destinations(ecr, clock, noBackoff);
        var client = clients.GetClient(new ReplicationDestination(West), null);

        await clock.RunAsync([() => client.PutImageAsync(Put)]);

        Assert.Equal(3, ecr.Attempts.Count);
        Assert.Equal(2, ecr.Attempts.Count(a => a.Throttled));

        // The retries wait for the limiter alone: the first for the slot the ceiling left (0.1 s at 10 a second), the
        // second at the rate the first throttle cut to (7 a second).
        Assert.Equal([TimeSpan.FromSeconds(0.1), TimeSpan.FromTicks(TimeSpan.TicksPerSecond / 7)], clock.Waits, Milliseconds);
    }

    [Fact]
    public async Task Two_registries_in_one_region_have_separate_limiters()
    {
        var clock = new VirtualTimeRunner(Start);
        var ecr = new QuotaHandler(clock) { ThrottleFirst = 1 };
        var clients = Destinations(ecr, clock, new RetrySettings { MaxRetries = 1, BaseDelay = TimeSpan.Zero, ThrottlingBaseDelay = TimeSpan.Zero });
        var throttled = new ReplicationDestination(West, "111111111111");
        var other = new ReplicationDestination(West, "222222222222");

        await clock.RunAsync([() => clients.GetClient(throttled, null).PutImageAsync(Put)]);

        Assert.InRange(clients.PutImageLimiter(throttled).Rate, 7, 9);
        Assert.Equal(10, clients.PutImageLimiter(other).Rate);
        Assert.Equal(10, clients.PutImageLimiter(new ReplicationDestination(West)).Rate);
        Assert.Same(clients.PutImageLimiter(throttled), clients.PutImageLimiter(new ReplicationDestination(West, "111111111111")));

        // Another client of the same registry and region, as each request gets, shares the slowed limiter.
        var again = clients.GetClient(throttled, null);
        await clock.RunAsync([() => again.PutImageAsync(Put)]);
        Assert.Equal([TimeSpan.FromSeconds(0.1), TimeSpan.FromTicks(TimeSpan.TicksPerSecond / 7)], clock.Waits, Milliseconds);
    }

    /// <summary>
    /// Ten Lambda instances, four message groups each, put images as fast as they may for two minutes into one
    /// destination region whose PutImage quota is 10 a second. Paced at a fixed 10 a second per instance (the
    /// replicator before adaptive limiting), most attempts of the second minute are throttled; with adaptive limiting
    /// the instances slow down until few are, while the quota stays in use.
    /// </summary>
    [Fact]
    public async Task Instances_sharing_one_quota_converge_to_few_throttles_where_fixed_pacing_stays_throttled()
    {
        var fixedRate = await RunInstancesAsync(adaptive: false);
        var adaptive = await RunInstancesAsync(adaptive: true);
        output.WriteLine($"fixed pacing, second minute: {fixedRate.Attempts} attempts, {fixedRate.Throttled} throttled, {fixedRate.Accepted} accepted");
        output.WriteLine($"adaptive, second minute: {adaptive.Attempts} attempts, {adaptive.Throttled} throttled, {adaptive.Accepted} accepted");

        // Counted in calls over the second minute: fixed pacing 1,483 attempts, 923 throttled (62 %); adaptive 723,
        // 220 throttled (30 %), 503 accepted. The same in ten runs, four of them side by side, since each
        // instance has its own jitter source (a Random shared by the instances' pool threads gave 714-721 attempts and
        // 217-226 throttled from run to run). The margins are for a change of the limiter's constants, not for chance.
        Assert.True(fixedRate.Throttled > fixedRate.Accepted, $"fixed pacing: {fixedRate}");
        Assert.True(adaptive.Throttled * 2 < adaptive.Accepted, $"adaptive: {adaptive}");
        Assert.True(adaptive.Throttled * 3 < fixedRate.Throttled, $"adaptive {adaptive}, fixed {fixedRate}");
        Assert.True(adaptive.Attempts * 3 < fixedRate.Attempts * 2, $"adaptive {adaptive}, fixed {fixedRate}");

        // The quota stays used: at least 70 % of the 600 puts a minute ECR accepts.
        Assert.InRange(adaptive.Accepted, 420, 600);
    }

    private static async Task<(int Attempts, int Throttled, int Accepted)> RunInstancesAsync(bool adaptive)
    {
        const int instances = 10;
        const int groups = 4;
        var end = Start + TimeSpan.FromMinutes(2);
        var clock = new VirtualTimeRunner(Start);
        var ecr = new QuotaHandler(clock);
        var workers = new List<Func<Task>>();
        for (var i = 0; i < instances; i++)
        {
            // One engine's clients per instance; the retry budget and backoff are the production ones. Each instance
            // has its own jitter source: System.Random is not thread-safe, and the workers run on pool threads.
            var random = new Random(7 + i);
            var calls = new EcrCallRunner(new RetrySettings(), clock, () =>
            {
                lock (random)
                {
                    return random.NextDouble();
                }
            });
            var inner = TestClients.Create(ecr, region: West);
            var limiter = adaptive ? new AdaptiveRateLimiter(10, clock) : null;
            var pacer = adaptive ? null : new RequestPacer(10, clock);
            var client = new RetryingEcrClient(inner, calls, West, limiter);
            for (var g = 0; g < groups; g++)
            {
                workers.Add(async () =>
                {
                    while (clock.GetUtcNow() < end)
                    {
                        if (pacer is not null)
                        {
                            await pacer.WaitAsync(CancellationToken.None);
                        }

                        try
                        {
                            await client.PutImageAsync(Put);
                        }
                        catch (EcrException e) when (e.IsThrottling)
                        {
                            // Out of retries: the record would go back to the queue.
                        }
                    }
                });
            }
        }

        await clock.RunAsync(workers);
        var secondMinute = ecr.Attempts.Where(a => a.At >= Start + TimeSpan.FromMinutes(1) && a.At < end).ToList();
        return (secondMinute.Count, secondMinute.Count(a => a.Throttled), secondMinute.Count(a => !a.Throttled));
    }

    /// <summary>Two waits within a millisecond are the same wait: Task.Delay keeps whole milliseconds.</summary>
    private static EqualityComparer<TimeSpan> Milliseconds { get; } = EqualityComparer<TimeSpan>.Create((a, b) => (a - b).Duration() < TimeSpan.FromMilliseconds(1), t => 0);

    private static RetryingDestinationClients Destinations(QuotaHandler ecr, TimeProvider clock, RetrySettings retry) =>
        new(new SourceCredentialsDestinationClients(new OneClient(TestClients.Create(ecr, region: West))), new EcrCallRunner(retry, clock, () => 0.5), 10, clock);

    private sealed class OneClient(IEcrClient client) : IEcrClientProvider
    {
        public IEcrClient GetClient(string region) => client;
    }

    /// <summary>
    /// ECR's PutImage quota on a fake clock: a PutImage is accepted when fewer than 10 were accepted in the second
    /// before it, else answered ThrottlingException (or the first <see cref="ThrottleFirst"/> are, whatever the rate).
    /// </summary>
    private sealed class QuotaHandler(TimeProvider clock) : HttpMessageHandler
    {
        private readonly Queue<DateTimeOffset> _accepted = new();
        private readonly List<(DateTimeOffset At, bool Throttled)> _attempts = [];

        public int ThrottleFirst { get; init; }

        public IReadOnlyList<(DateTimeOffset At, bool Throttled)> Attempts
        {
            get
            {
                lock (_attempts)
                {
                    return [.. _attempts];
                }
            }
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Assert.EndsWith(".PutImage", request.Headers.GetValues("X-Amz-Target").Single(), StringComparison.Ordinal);
            bool throttled;
            lock (_attempts)
            {
                var now = clock.GetUtcNow();
                while (_accepted.TryPeek(out var at) && at <= now - TimeSpan.FromSeconds(1))
                {
                    _accepted.Dequeue();
                }

                throttled = _attempts.Count < ThrottleFirst || _accepted.Count >= 10;
                if (!throttled)
                {
                    _accepted.Enqueue(now);
                }

                _attempts.Add((now, throttled));
            }

            var answer = throttled
                ? new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = Json("""{"__type":"ThrottlingException","message":"Rate exceeded"}""") }
                : new HttpResponseMessage(HttpStatusCode.OK) { Content = Json("{}") };
            return Task.FromResult(answer);
        }

        private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/x-amz-json-1.1");
    }
}
