using Replicator.Core.Destinations;
using Replicator.Core.Errors;
using Replicator.Core.Replication;
using Replicator.Core.Signing;

namespace Replicator.Core.Tests.Destinations;

/// <summary>STS that issues numbered sessions of a fixed length on a given clock, records each call, and can be told to fail.</summary>
internal sealed class FakeSecurityTokenService(TimeProvider clock, TimeSpan sessionLength) : ISecurityTokenService
{
    private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];
    private int _issued;

    public List<(string RoleArn, string? ExternalId, string Region, string CallerKey)> Calls { get; } = [];

    public ReplicationException? FailWith { get; set; }

    /// <summary>The length of the sessions issued from now on.</summary>
    public TimeSpan SessionLength { get; set; } = sessionLength;

    /// <summary>Access keys STS no longer knows (deleted): AssumeRole with one fails as the real store wraps STS's InvalidClientTokenId.</summary>
    public HashSet<string> RefusedKeys { get; } = [];

    /// <summary>Regions where STS is not active for the role's account: AssumeRole there fails as the real service wraps STS's RegionDisabledException.</summary>
    public HashSet<string> DisabledRegions { get; } = [];

    /// <summary>Completes the next AssumeRole only when set: lets a test hold a refresh in flight.</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>
    /// Completes once <paramref name="count"/> calls have reached STS (and wait at <see cref="Gate"/>, if set); fails
    /// with a <see cref="TimeoutException"/> after a minute, so a regression that never makes the call fails its test
    /// instead of hanging the run. A bound, never a timing.
    /// </summary>
    public Task CallsReached(int count) => Reached(count).WaitAsync(TimeSpan.FromMinutes(1));

    private Task Reached(int count)
    {
        lock (Calls)
        {
            if (Calls.Count >= count)
            {
                return Task.CompletedTask;
            }

            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, reached));
            return reached.Task;
        }
    }

    public async Task<TemporaryCredentials> AssumeRoleAsync(string roleArn, string? externalId, string region, IAwsCredentialsSource caller, CancellationToken cancellationToken)
    {
        var callerKeys = await caller.GetCredentialsAsync(cancellationToken);
        lock (Calls)
        {
            Calls.Add((roleArn, externalId, region, callerKeys.AccessKeyId));
            foreach (var waiter in _waiters.Where(w => w.Count <= Calls.Count).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Reached.SetResult();
            }
        }

        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        if (FailWith is { } failure)
        {
            throw failure;
        }

        if (DisabledRegions.Contains(region))
        {
            throw ServiceFailures.Wrap(
                new Amazon.Runtime.AmazonServiceException($"STS is not activated in this region for account:{roleArn.Split(':')[4]}.") { ErrorCode = "RegionDisabledException", StatusCode = System.Net.HttpStatusCode.Forbidden },
                $"assume role {roleArn}",
                ServiceFailures.DescribeEndpoint("STS", null, region),
                cancellationToken);
        }

        if (RefusedKeys.Contains(callerKeys.AccessKeyId))
        {
            throw ServiceFailures.Wrap(
                new Amazon.Runtime.AmazonServiceException("The security token included in the request is invalid.") { ErrorCode = "InvalidClientTokenId", StatusCode = System.Net.HttpStatusCode.Forbidden },
                $"assume role {roleArn}",
                ServiceFailures.DescribeEndpoint("STS", null, region),
                cancellationToken);
        }

        var n = Interlocked.Increment(ref _issued);
        return new TemporaryCredentials(new AwsCredentials($"ASIA{n}", $"secret{n}", $"token{n}"), clock.GetUtcNow() + SessionLength);
    }
}
