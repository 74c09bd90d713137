using Replicator.Cli.Commands;
using Replicator.Cli.Output;
using Replicator.Core.Errors;
using Replicator.Core.Replication;

namespace Replicator.Cli.Tests.Commands;

public sealed class RunTallyTests
{
    private static readonly ReplicationDestination West = ReplicationDestination.Parse("us-west-2");

    [Fact]
    public void A_long_run_keeps_counts_and_only_the_first_few_not_done_destinations()
    {
        var tally = new RunTally();

        for (var i = 0; i < 5 * RunTally.MaxNotDone; i++)
        {
            tally.Add(Run(i, i % 2 == 0 ? Copied(i) : Failed(i)), stopped: false);
        }

        // What the runner keeps of 500 images: counts, and 100 of the 250 failures for the closing table.
        Assert.Equal((500, 250, 250), (tally.Images, tally.Done, tally.NotDoneCount));
        Assert.Equal(RunTally.MaxNotDone, tally.NotDone.Count);
        Assert.Equal("app1", tally.NotDone[0].Repository);
        Assert.All(tally.NotDone, row => Assert.Equal(Outcomes.Failed, row.Text.Word));
        Assert.Equal("500 image(s), 250 copied, 0 up to date, 0 skipped, 250 failed, 500.0 KiB copied", tally.Caption());
        Assert.False(tally.Interrupted);
        var table = ResultTables.NotDone(tally);
        Assert.NotNull(table);
        Assert.Equal(RunTally.MaxNotDone, table.Rows.Count);
    }

    /// <summary>
    /// The closing table says it holds only the first few only when rows were left out: with exactly
    /// <see cref="RunTally.MaxNotDone"/> not-done destinations it holds them all, and "the first 100 of 100; the others
    /// are in the lines above" would send the operator up the lines for nothing.
    /// </summary>
    [Fact]
    public void The_not_done_table_says_it_is_cut_only_when_rows_were_left_out()
    {
        var all = new RunTally();
        var more = new RunTally();
        for (var i = 0; i <= RunTally.MaxNotDone; i++)
        {
            if (i < RunTally.MaxNotDone)
            {
                all.Add(Run(i, Failed(i)), stopped: false);
            }

            more.Add(Run(i, Failed(i)), stopped: false);
        }

        var whole = ResultTables.NotDone(all);
        var cut = ResultTables.NotDone(more);

        Assert.NotNull(whole);
        Assert.Null(whole.Caption);
        Assert.NotNull(cut);
        Assert.Equal($"the first {RunTally.MaxNotDone} of {RunTally.MaxNotDone + 1}; the others are in the lines above", cut.Caption?.Text);
    }

    [Fact]
    public void A_run_where_everything_is_done_has_no_not_done_table()
    {
        var tally = new RunTally();

        tally.Add(Run(0, Copied(0)), stopped: false);

        Assert.Null(ResultTables.NotDone(tally));
        Assert.Equal("Summary: 1 image(s), 1 copied, 0 up to date, 0 skipped, 0 failed, 1.0 KiB copied", ResultTables.Summary(tally));
    }

    [Fact]
    public void A_copy_a_stop_cut_short_is_interrupted()
    {
        var tally = new RunTally();

        tally.Add(Run(0, new DestinationResult(West, ReplicationOutcome.Failed, Digest(0), 0, 0, 0, TimeSpan.Zero, ReplicationErrorCodes.DeadlineExceeded, "cut short")), stopped: true);

        Assert.True(tally.Interrupted);
        Assert.Contains(", 1 interrupted,", tally.Caption(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Images come back in any order (parallel flows): one a stop cut short, then one that had finished before the stop.
    /// The run stays interrupted, which makes the runner's exit code a stop's (ReplicationRunner: "cut"); an image
    /// coming back whole after it must not clear that and let a cut run end with the code of one that completed.
    /// </summary>
    [Fact]
    public void An_interruption_stays_when_an_image_that_finished_comes_back_after_it()
    {
        var tally = new RunTally();

        tally.Add(Run(0, new DestinationResult(West, ReplicationOutcome.Failed, Digest(0), 0, 0, 0, TimeSpan.Zero, ReplicationErrorCodes.DeadlineExceeded, "cut short")), stopped: true);
        tally.Add(Run(1, Copied(1)), stopped: true);

        Assert.True(tally.Interrupted);
        Assert.Equal((2, 1, 1), (tally.Images, tally.Done, tally.NotDoneCount));
        Assert.Equal("2 image(s), 1 copied, 0 up to date, 0 skipped, 0 failed, 1 interrupted, 1.0 KiB copied", tally.Caption());
    }

    /// <summary>
    /// The rarer outcomes are in the summary when they happened, each counted, after the four every run has: a tag the
    /// source moved after the selection is not done (the run's exit code says so), and the summary must say why.
    /// </summary>
    [Fact]
    public void The_summary_counts_archived_deleted_and_tag_moved_destinations_when_there_are_any()
    {
        var tally = new RunTally();

        tally.Add(Run(0, new DestinationResult(West, ReplicationOutcome.Archived, Digest(0), 0, 0, 0, TimeSpan.Zero) { Tag = "v1" }), stopped: false);
        tally.Add(Run(1, new DestinationResult(West, ReplicationOutcome.Deleted, Digest(1), 0, 0, 0, TimeSpan.Zero) { Tag = "v1" }), stopped: false);
        tally.Add(Run(2, new DestinationResult(West, ReplicationOutcome.Replicated, Digest(2), 1, 0, 1024, TimeSpan.FromSeconds(1))), stopped: false);

        Assert.Equal((3, 2, 1), (tally.Images, tally.Done, tally.NotDoneCount));
        Assert.Equal(Outcomes.TagMoved, Assert.Single(tally.NotDone).Text.Word);
        Assert.Equal("3 image(s), 0 copied, 0 up to date, 0 skipped, 0 failed, 1 archived, 1 deleted, 1 tag moved, 1.0 KiB copied", tally.Caption());
    }

    private static ImageRun Run(int i, DestinationResult result) =>
        new($"app{i}", "v1", new ReplicationResult(new ImageReference("111111111111", "us-east-1", $"app{i}", Digest(i), "v1"), Digest(i), [result]));

    private static DestinationResult Copied(int i) =>
        new(West, ReplicationOutcome.Replicated, Digest(i), 1, 0, 1024, TimeSpan.FromSeconds(1)) { Tag = "v1" };

    private static DestinationResult Failed(int i) =>
        new(West, ReplicationOutcome.Failed, Digest(i), 0, 0, 1024, TimeSpan.FromSeconds(1), "ImageTagAlreadyExistsException", "refused");

    private static string Digest(int i) => "sha256:" + i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture);
}
