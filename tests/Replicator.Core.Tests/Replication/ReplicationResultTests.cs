using Replicator.Core.Replication;

namespace Replicator.Core.Tests.Replication;

/// <summary>
/// The retry verdict of a request: retried while any destination failed transiently, even beside permanent failures
/// (the retry re-reads every destination); ended only when every failure left is permanent.
/// </summary>
public sealed class ReplicationResultTests
{
    private static readonly ImageReference Source = new("111111111111", "us-east-1", "app", "sha256:" + new string('a', 64), "v1");

    [Theory]
    [InlineData("replicated,replicated", false)]
    [InlineData("replicated,transient", true)]
    [InlineData("transient,transient", true)]
    [InlineData("permanent,transient", true)]
    [InlineData("transient,permanent,replicated", true)]
    [InlineData("permanent,replicated", false)]
    [InlineData("permanent,permanent", false)]
    public void A_request_is_retried_while_any_destination_failed_transiently(string destinations, bool retried)
    {
        var result = Result(destinations.Split(','));

        Assert.Equal(retried, result.ShouldRetry);
    }

    /// <summary>What the retry of a mixed failure finds: the permanent one again, the transient one done; now it ends.</summary>
    [Fact]
    public void The_retry_of_a_mixed_failure_ends_once_only_the_permanent_failure_is_left()
    {
        var first = Result(["permanent", "transient"]);
        var retry = Result(["permanent", "uptodate"]);

        Assert.True(first.ShouldRetry);
        Assert.False(retry.ShouldRetry);
        Assert.False(retry.Succeeded);
    }

    private static ReplicationResult Result(IReadOnlyList<string> destinations) => new(Source, Source.Digest,
    [
        .. destinations.Select((kind, i) =>
        {
            var destination = new ReplicationDestination($"us-west-{i + 1}");
            return kind switch
            {
                "replicated" => new DestinationResult(destination, ReplicationOutcome.Replicated, Source.Digest, 1, 0, 10, TimeSpan.Zero),
                "uptodate" => new DestinationResult(destination, ReplicationOutcome.UpToDate, Source.Digest, 0, 1, 0, TimeSpan.Zero),
                "transient" => new DestinationResult(destination, ReplicationOutcome.Failed, null, 0, 0, 0, TimeSpan.Zero, "ThrottlingException", "Rate exceeded", Transient: true),
                "permanent" => new DestinationResult(destination, ReplicationOutcome.Failed, null, 0, 0, 0, TimeSpan.Zero, "ImmutableTagConflict", "tag 'v1' names another digest"),
                _ => throw new ArgumentOutOfRangeException(nameof(destinations), kind, null),
            };
        }),
    ]);
}
