using Replicator.Cli.Output;
using Replicator.Core.Errors;
using Replicator.Core.Replication;

namespace Replicator.Cli.Tests.Output;

public sealed class OutcomesTests
{
    private static readonly ReplicationDestination West = ReplicationDestination.Parse("us-west-2");

    [Fact]
    public void A_cut_copy_reads_as_interrupted_only_once_the_run_is_stopped()
    {
        var cut = Result(ReplicationOutcome.Failed) with { ErrorCode = ReplicationErrorCodes.DeadlineExceeded, Message = "the deadline ran out", Transient = true };

        Assert.Equal((Outcomes.Interrupted, false), Pair(Outcomes.Describe(cut, "v1", stopped: true)));

        // Not stopped: a layer copy cancelled under a request that was not (InFlightCopies) is a failure to look into.
        var failed = Outcomes.Describe(cut, "v1", stopped: false);
        Assert.Equal((Outcomes.Failed, false), Pair(failed));
        Assert.StartsWith("DeadlineExceeded: the deadline ran out", failed.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ReplicationOutcome.Replicated)]
    [InlineData(ReplicationOutcome.UpToDate)]
    public void A_success_that_left_the_requested_tag_alone_is_not_done(ReplicationOutcome outcome)
    {
        Assert.Equal((Outcomes.TagMoved, false), Pair(Outcomes.Describe(Result(outcome), "v1", stopped: false)));
        Assert.True(Outcomes.Describe(Result(outcome) with { Tag = "v1" }, "v1", stopped: false).Done);
        Assert.True(Outcomes.Describe(Result(outcome), requestedTag: null, stopped: false).Done);
    }

    [Theory]
    [InlineData(ReplicationOutcome.Skipped, Outcomes.Skipped)]
    [InlineData(ReplicationOutcome.Archived, Outcomes.Archived)]
    public void Skipped_and_archived_images_carry_no_tag_and_are_not_read_as_a_moved_tag(ReplicationOutcome outcome, string word)
    {
        var text = Outcomes.Describe(Result(outcome) with { Message = "the source image is archived" }, "v1", stopped: true);

        Assert.Equal((word, true), Pair(text));
        Assert.Equal("the source image is archived", text.Detail);
    }

    [Fact]
    public void A_success_note_is_shown_on_one_line_and_redacted()
    {
        var text = Outcomes.Describe(Result(ReplicationOutcome.Replicated) with { Tag = "v1", Message = "a policy refused for AKIAIOSFODNN7EXAMPLE\nsecond line" }, "v1", stopped: false);

        Assert.Equal((Outcomes.Copied, true), Pair(text));
        Assert.StartsWith("a policy refused for ", text.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("AKIAIOSFODNN7EXAMPLE", text.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("second line", text.Detail, StringComparison.Ordinal);
        Assert.Equal(string.Empty, Outcomes.Describe(Result(ReplicationOutcome.Replicated) with { Tag = "v1" }, "v1", stopped: false).Detail);
    }

    [Fact]
    public void An_image_is_interrupted_only_by_a_cut_copy_in_a_stopped_run_and_a_real_failure_is_not_one()
    {
        var cut = Result(ReplicationOutcome.Failed) with { ErrorCode = ReplicationErrorCodes.DeadlineExceeded, Transient = true };
        var throttled = Result(ReplicationOutcome.Failed) with { ErrorCode = "ThrottlingException", Transient = true };
        var copied = Result(ReplicationOutcome.Replicated) with { Tag = "v1" };

        var interrupted = new Replicator.Cli.Commands.ImageRun("app", "v1", Image([copied, cut]));
        var failed = new Replicator.Cli.Commands.ImageRun("app", "v1", Image([copied, throttled]));

        Assert.True(interrupted.Interrupted(stopped: true));
        Assert.False(interrupted.Interrupted(stopped: false));
        Assert.False(failed.Interrupted(stopped: true));
        Assert.False(interrupted.Done(stopped: true));
        Assert.True(new Replicator.Cli.Commands.ImageRun("app", "v1", Image([copied])).Done(stopped: true));
    }

    private static ReplicationResult Image(IReadOnlyList<DestinationResult> destinations) =>
        new(new ImageReference("111111111111", "us-east-1", "app", destinations[0].Digest, "v1"), destinations[0].Digest, destinations);

    private static (string, bool) Pair(OutcomeText text) => (text.Word, text.Done);

    private static DestinationResult Result(ReplicationOutcome outcome) =>
        new(West, outcome, "sha256:" + new string('a', 64), 1, 0, 10, TimeSpan.FromSeconds(1));
}
