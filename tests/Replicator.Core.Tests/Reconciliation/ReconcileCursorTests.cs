using Replicator.Core.Reconciliation;

namespace Replicator.Core.Tests.Reconciliation;

public sealed class ReconcileCursorTests
{
    private const string Digest = "sha256:2de558ee630688d4305fcac8013bdd6521ec9dd913ddd93d86bdd4208ffefba1";

    [Theory]
    [InlineData("team/app")]
    [InlineData("team/app@" + Digest)]
    public void A_cursor_round_trips_through_its_stored_text(string text)
    {
        var cursor = ReconcileCursor.Parse(text);

        Assert.NotNull(cursor);
        Assert.Equal(text, cursor.Format());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(ReconcileCursor.StartValue)]
    [InlineData("Not A Repository")]
    [InlineData("app@sha256:short")]
    public void The_start_value_and_anything_that_is_not_a_cursor_start_a_new_pass(string? text) =>
        Assert.Null(ReconcileCursor.Parse(text));

    [Fact]
    public void A_pass_resumes_at_the_cursors_repository_in_ordinal_order()
    {
        string[] repositories = ["b", "a/x", "c", "a", "b"];

        Assert.Equal(["a", "a/x", "b", "c"], ReconcileCursor.Remaining(repositories, null));
        Assert.Equal(["b", "c"], ReconcileCursor.Remaining(repositories, new ReconcileCursor("b", Digest)));

        // The cursor's repository was deleted meanwhile: the walk goes on with the next name.
        Assert.Equal(["c"], ReconcileCursor.Remaining(repositories, new ReconcileCursor("bb")));
    }

    [Fact]
    public void Inside_the_cursors_repository_the_digests_up_to_it_are_done()
    {
        var cursor = new ReconcileCursor("app", "sha256:5");

        Assert.True(cursor.Done("app", "sha256:4"));
        Assert.True(cursor.Done("app", "sha256:5"));
        Assert.False(cursor.Done("app", "sha256:6"));
        Assert.False(cursor.Done("other", "sha256:4"));
        Assert.True(cursor.InsideOf("app"));
        Assert.False(new ReconcileCursor("app").InsideOf("app"));
        Assert.False(new ReconcileCursor("app").Done("app", "sha256:0"));
    }
}
