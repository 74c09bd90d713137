using Replicator.Core.Replication;
using Replicator.Function.DeadLetter;
using Replicator.Function.Processing;
using Replicator.Function.Tests.Support;
using E = Replicator.Function.Tests.Support.Events;

namespace Replicator.Function.Tests.Processing;

/// <summary>The dead-letter reason of a failed replication: every failed destination, the source once, within the limit.</summary>
public sealed class FailureReasonTests
{
    private static readonly ImageReference Source = new("000000000000", "us-east-1", "team/app", E.Digest, "v1");
    private static readonly ReplicationDestination West = new("us-west-2");
    private static readonly ReplicationDestination Europe = new("eu-west-1", "111111111111");
    private static readonly ReplicationDestination Asia = new("ap-south-1");

    private static DestinationResult Failed(ReplicationDestination d, string code, string message, bool transient = false) =>
        new(d, ReplicationOutcome.Failed, E.Digest, 0, 0, 0, TimeSpan.Zero, code, message, transient);

    private static DestinationResult Replicated(ReplicationDestination d) =>
        new(d, ReplicationOutcome.Replicated, E.Digest, 1, 0, 10, TimeSpan.Zero);

    [Fact]
    public async Task Every_failed_destination_is_in_the_record_reason_permanent_ones_first_with_the_mapped_repository()
    {
        var config = Harness.DefaultConfig with
        {
            Destinations = [West, Europe, Asia],
            RepositoryMapping = RepositoryMapping.Parse("team/=backup/"),
        };
        var harness = new Harness(config);
        harness.Replicator.OnReplicate = (r, _) => Task.FromResult(new ReplicationResult(r.Source, E.Digest,
        [
            Failed(West, "ThrottlingException", "Rate exceeded", transient: true),
            Replicated(Europe),
            Failed(Asia, "ImmutableTagConflict", "tag 'v1' conflicts"),
        ]));

        var result = await harness.Handler.HandleAsync(E.Record("m1", E.Body(repository: "team/app")), "req", CancellationToken.None);

        // Retried (a transient failure is among them), and the reason still names every failed destination, as the
        // dead-letter queue shows it on the last receive.
        Assert.Equal(RecordOutcome.TransientFailure, result.Outcome);
        Assert.Equal(
            "ap-south-1 (backup/app): ImmutableTagConflict: tag 'v1' conflicts; us-west-2 (backup/app): ThrottlingException: Rate exceeded",
            result.Reason);
    }

    [Fact]
    public void A_source_failure_is_named_once_as_the_source()
    {
        // ImageReplicator stamps a source failure on every destination (AtSource).
        const string denied = "User is not authorized to perform: ecr:BatchGetImage";
        var result = new ReplicationResult(Source, null,
        [
            Failed(West, "AccessDeniedException", denied) with { AtSource = true },
            Failed(Europe, "AccessDeniedException", denied) with { AtSource = true },
        ]);

        Assert.Equal($"source: AccessDeniedException: {denied}", FailureReason.Describe(result, RepositoryMapping.Identity));
    }

    [Fact]
    public void Without_a_mapping_a_destination_is_named_alone()
    {
        var result = new ReplicationResult(Source, E.Digest, [Failed(Europe, "ServerException", "oops", transient: true)]);

        Assert.Equal("111111111111:eu-west-1: ServerException: oops", FailureReason.Describe(result, RepositoryMapping.Identity));
    }

    [Fact]
    public void Destinations_past_the_limit_are_still_named_with_their_code()
    {
        var result = new ReplicationResult(Source, E.Digest,
        [
            Failed(West, "AccessDeniedException", new string('w', 600)),
            Failed(Europe, "AccessDeniedException", new string('e', 600)),
            Failed(Asia, "ServerException", new string('a', 600), transient: true),
        ]);

        var reason = FailureReason.Describe(result, RepositoryMapping.Identity);

        Assert.True(reason.Length <= 1024, $"length {reason.Length}");
        Assert.Equal($"us-west-2: AccessDeniedException: {new string('w', 600)}; also failed: 111111111111:eu-west-1: AccessDeniedException, ap-south-1: ServerException", reason);
    }

    [Fact]
    public void A_single_reason_longer_than_the_limit_is_cut_on_a_character_with_an_ellipsis()
    {
        var result = new ReplicationResult(Source, E.Digest, [Failed(West, "InvalidManifest", new string('m', 2000) + "\U0001F600")]);

        var reason = FailureReason.Describe(result, RepositoryMapping.Identity, maxLength: 100);

        Assert.Equal(100, reason.Length);
        Assert.StartsWith("us-west-2: InvalidManifest: mmm", reason, StringComparison.Ordinal);
        Assert.EndsWith("m\u2026", reason, StringComparison.Ordinal);
    }
}
