using Replicator.Cli.Composition;
using Replicator.Cli.Output;
using Replicator.Testing;
using Spectre.Console;

namespace Replicator.Cli.Tests.Output;

public sealed class ProgressObserverTests
{
    [Fact]
    public async Task A_done_images_bar_leaves_the_display_and_the_overall_bar_counts_it()
    {
        var ended = await ShowAsync((observer, live, shown) =>
        {
            // Selected as a sync lists its repositories: before the display, and while it runs (the total grows).
            observer.Selected(1);
            observer.Begin(live);
            observer.Selected(150);
            for (var i = 0; i < 200; i++)
            {
                if (i == 100)
                {
                    observer.Selected(50);
                }

                var image = observer.Track($"app:v{i}", $"v{i}", null);
                image.AddTotal(100);
                image.Add(i % 2 == 0 ? 100 : 40);
                image.Complete(finished: i % 2 == 0);
            }

            var running = observer.Track("app:last", "last", null);
            live.Refresh();

            // The overall bar and the one image still being copied: 200 done images leave nothing behind.
            Assert.Equal(["200 of 201 image(s)", "app:last"], shown().Select(t => t.Description));
            Assert.Equal((200, 201), (shown()[0].Value, shown()[0].MaxValue));
            running.Complete(finished: true);
            live.Refresh();
            Assert.Equal(["201 of 201 image(s)"], shown().Select(t => t.Description));
        });

        Assert.Null(ended.Live);
    }

    /// <summary>
    /// sync starts the display before it has listed a repository (ReplicationRunner), so the overall bar begins with
    /// no image selected: it reads "0 of 0 image(s)" at 0%, not finished, until the listing gives it a total.
    /// </summary>
    [Fact]
    public async Task The_overall_bar_begun_before_any_image_is_selected_is_not_finished_and_reads_0_percent()
    {
        using var screen = new StringWriter();
        await ShowAsync((observer, live, shown) =>
        {
            observer.Begin(live);
            live.Refresh();
            var overall = Assert.Single(shown());
            Assert.Equal("0 of 0 image(s)", overall.Description);
            Assert.False(overall.IsFinished);
            Assert.Equal(0, overall.Percentage);

            observer.Selected(2);
            observer.Track("app:v1", "v1", null).Complete(finished: true);
            live.Refresh();
            Assert.Equal(("1 of 2 image(s)", 50d, false), (shown()[0].Description, shown()[0].Percentage, shown()[0].IsFinished));
        },
        screen);

        Assert.DoesNotContain("NaN", screen.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Redirected_there_are_no_bars()
    {
        var observer = new ProgressObserver(Redirected(), CancellationToken.None);

        var image = observer.Track("app:v1", "v1", null);
        image.AddTotal(10);
        image.Complete(finished: true);

        Assert.Null(observer.Live);
    }

    /// <summary>
    /// A failure the engine survives (a retried call, a destination role's session it could not renew, an SSM key pair
    /// it could not read again) is a notice: one line on stderr naming what failed and until when the current keys
    /// last, so an operator sees a renewal failing before the session ends, while stdout holds the results alone
    /// (<c>replicator sync ... &gt; results.txt</c>). The SSM parameter's line is the CLI's own wording, not the role's.
    /// </summary>
    [Theory]
    [InlineData("retry", "retrying BatchCheckLayerAvailability in us-west-2 after ThrottlingException (retry 2, in 1.5 s)")]
    [InlineData("renewal", "could not renew the session of arn:aws:iam::222222222222:role/ecr-replicator-destination (AccessDenied); the current one works until 2026-12-01 04:00:00Z, retrying shortly")]
    [InlineData("reread", "could not read SSM parameter /ecr-replicator/cn-north-1 again (ThrottlingException); the keys last read stay in use until 2026-12-01 05:00:00Z, retrying shortly")]
    public void A_failure_the_engine_survives_is_one_notice_on_stderr_and_nothing_on_stdout(string failure, string expected)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var observer = new ProgressObserver(Redirected(output, error), CancellationToken.None);

        switch (failure)
        {
            case "retry":
                observer.Retrying(new Replicator.Core.Resilience.EcrRetry("BatchCheckLayerAvailability", "us-west-2", 2, "ThrottlingException", TimeSpan.FromSeconds(1.5)));
                break;
            case "renewal":
                observer.CredentialsRenewalFailed("arn:aws:iam::222222222222:role/ecr-replicator-destination", "AccessDenied", new DateTimeOffset(2026, 12, 1, 4, 0, 0, TimeSpan.Zero));
                break;
            default:
                observer.CredentialsRereadFailed("/ecr-replicator/cn-north-1", "ThrottlingException", new DateTimeOffset(2026, 12, 1, 5, 0, 0, TimeSpan.Zero));
                break;
        }

        Assert.Equal(expected + "\n", error.ToString());
        Assert.Equal(string.Empty, output.ToString());
    }

    /// <summary>
    /// While the bars run, a line on stderr would tear them, so the engine's retries (many, and passing) are not shown;
    /// but a destination's credentials that could not be refreshed are a warning that the destination may stop working
    /// when its current keys end. The overall bar says how many such warnings wait, and each distinct one is written on
    /// stderr, once, when the display ends.
    /// </summary>
    [Fact]
    public async Task Credential_warnings_during_the_bars_are_counted_on_the_overall_bar_and_written_once_when_it_ends()
    {
        using var error = new StringWriter();
        const string Role = "arn:aws:iam::222222222222:role/ecr-replicator-destination";
        var until = new DateTimeOffset(2026, 12, 1, 4, 0, 0, TimeSpan.Zero);

        await ShowAsync(
            (observer, live, shown) =>
            {
                observer.Begin(live);
                observer.Selected(2);
                observer.Retrying(new Replicator.Core.Resilience.EcrRetry("UploadLayerPart", "us-west-2", 1, "ThrottlingException", TimeSpan.FromSeconds(1)));
                observer.CredentialsRenewalFailed(Role, "AccessDenied", until);
                observer.CredentialsRenewalFailed(Role, "AccessDenied", until);
                observer.CredentialsRereadFailed("/ecr-replicator/cn-north-1", "ThrottlingException", until);
                live.Refresh();

                Assert.Equal("0 of 2 image(s) [yellow](2 credential warning(s), listed at the end)[/]", Assert.Single(shown()).Description);
                Assert.Equal(string.Empty, error.ToString());
            },
            error: error);

        Assert.Equal(
            $"could not renew the session of {Role} (AccessDenied); the current one works until 2026-12-01 04:00:00Z, retrying shortly\n"
            + "could not read SSM parameter /ecr-replicator/cn-north-1 again (ThrottlingException); the keys last read stay in use until 2026-12-01 04:00:00Z, retrying shortly\n",
            error.ToString());
    }

    /// <summary>
    /// Runs <paramref name="body"/> in a live display on an interactive ANSI console of its own, writing to
    /// <paramref name="screen"/>, whose render hook gives the tasks of the last redraw; the display ends after it.
    /// </summary>
    private static async Task<ProgressObserver> ShowAsync(Action<ProgressObserver, ProgressContext, Func<IReadOnlyList<ProgressTask>>> body, TextWriter? screen = null, TextWriter? error = null)
    {
        var ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(screen ?? TextWriter.Null),
            Ansi = AnsiSupport.Yes,
            Interactive = InteractionSupport.Yes,
        });
        var observer = new ProgressObserver(Redirected(error: error), CancellationToken.None);
        IReadOnlyList<ProgressTask> shown = [];

        await ansi.Progress()
            .AutoRefresh(false)
            .Columns(ProgressObserver.Columns())
            .UseRenderHook((renderable, tasks) =>
            {
                shown = [.. tasks];
                return renderable;
            })
            .StartAsync(live =>
            {
                body(observer, live, () => shown);
                observer.End();
                return Task.CompletedTask;
            });
        return observer;
    }

    private static CliConsole Redirected(TextWriter? output = null, TextWriter? error = null) => new(new CliContext
    {
        Environment = DictionaryEnvironmentVariables.Of(new Dictionary<string, string>()),
        Out = output ?? TextWriter.Null,
        Error = error ?? TextWriter.Null,
    });
}
