using Replicator.Core.Reconciliation;
using Replicator.Core.Replication;
using Replicator.Core.Selection;

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
    [InlineData("team/app")]
    [InlineData("team/app@" + Digest)]
    public void A_cursor_of_the_previous_version_parses_without_settings(string text)
    {
        var cursor = ReconcileCursor.Parse(text, out var settings);

        Assert.Equal(text, cursor?.Format());
        Assert.Null(settings);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(Digest)]
    public void A_cursor_round_trips_with_the_fingerprint_of_its_settings(string? afterDigest)
    {
        var settings = ReconcileSettings.Of([new ReplicationDestination("us-west-2")], RepositoryFilter.Everything, null, RepositoryMapping.Identity, replicateDeletes: true);
        var cursor = new ReconcileCursor("team/app", afterDigest);

        var stored = cursor.Format(settings);

        Assert.Equal($"{settings.Fingerprint};{cursor.Format()}", stored);
        Assert.Equal(cursor, ReconcileCursor.Parse(stored, out var savedUnder));
        Assert.Equal(settings.Fingerprint, savedUnder);
    }

    [Fact]
    public void The_longest_cursor_fits_an_SSM_standard_parameter_many_times_over()
    {
        var longest = new ReconcileCursor(new string('a', 256), "sha512:" + new string('0', 128)).Format(ReconcileSettings.Unnamed);

        Assert.Equal(ReconcileSettings.FingerprintLength + 1 + 256 + 1 + 135, longest.Length);
        Assert.InRange(longest.Length, 1, 4096 / 8);
        Assert.NotNull(ReconcileCursor.Parse(longest));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(ReconcileCursor.StartValue)]
    [InlineData("Not A Repository")]
    [InlineData("app@sha256:short")]
    [InlineData("0123456789abcdef;")]
    [InlineData(";team/app")]
    [InlineData("0123456789ABCDEF;team/app")]
    [InlineData("0123456789abcde;team/app")]
    [InlineData("0123456789abcdef0;team/app")]
    [InlineData("0123456789abcdef;team/app;x")]
    [InlineData("0123456789abcdef;0123456789abcdef;team/app")]
    [InlineData("0123456789abcdef;team/app@sha256:short")]
    public void The_start_value_and_anything_that_is_not_a_cursor_start_a_new_pass(string? text)
    {
        Assert.Null(ReconcileCursor.Parse(text));
        Assert.Null(ReconcileCursor.Parse(text, out var settings));
        Assert.Null(settings);
    }

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
