using Replicator.Cli.Composition;
using Replicator.Cli.Output;
using Replicator.Cli.Tests.Support;
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
            Assert.Equal(["200 of 201 image(s) [red](100 not done)[/]", "app:last"], shown().Select(t => t.Description));
            Assert.Equal((200, 201), (shown()[0].Value, shown()[0].MaxValue));
            running.Complete(finished: true);
            live.Refresh();
            Assert.Equal(["201 of 201 image(s) [red](100 not done)[/]"], shown().Select(t => t.Description));
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

    /// <summary>
    /// The overall bar's text follows the selection as it grows, before any image is done: the images selected before
    /// the display began are counted from its first frame, and each repository listed while it runs at once, not only
    /// when the next image finishes (a large repository's first image can take minutes).
    /// </summary>
    [Fact]
    public async Task The_overall_bar_counts_the_images_selected_before_and_while_it_runs_before_any_is_done()
    {
        await ShowAsync((observer, live, shown) =>
        {
            observer.Selected(3);
            observer.Begin(live);
            live.Refresh();
            Assert.Equal(("0 of 3 image(s)", 3d), (Assert.Single(shown()).Description, shown()[0].MaxValue));

            observer.Selected(4);
            live.Refresh();
            Assert.Equal(("0 of 7 image(s)", 7d), (Assert.Single(shown()).Description, shown()[0].MaxValue));
        });
    }

    /// <summary>
    /// The overall bar is left on the screen when the display ends, full once every image came back. An image that came
    /// back not done (failed, cut short by Ctrl+C, tag moved) is counted apart on it, so a run whose every image was
    /// interrupted does not end on "4 of 4 image(s) 100%" above a summary of 0 copied.
    /// </summary>
    [Fact]
    public async Task Images_that_came_back_not_done_are_counted_apart_on_the_overall_bar()
    {
        await ShowAsync((observer, live, shown) =>
        {
            observer.Begin(live);
            observer.Selected(4);
            observer.Track("app:v1", "v1", null).Complete(finished: true);
            live.Refresh();
            Assert.Equal("1 of 4 image(s)", Assert.Single(shown()).Description);

            for (var i = 2; i <= 4; i++)
            {
                observer.Track($"app:v{i}", $"v{i}", null).Complete(finished: false);
            }

            live.Refresh();
            Assert.Equal(("4 of 4 image(s) [red](3 not done)[/]", 100d), (Assert.Single(shown()).Description, shown()[0].Percentage));
        });
    }

    /// <summary>
    /// The overall bar's value is a count of images, so its bytes column is empty, while an image's bar shows the bytes
    /// copied of its total: "2/3 bytes" on the overall bar would read as a size.
    /// </summary>
    [Fact]
    public async Task The_overall_bar_shows_no_bytes_and_an_image_bar_shows_its_bytes()
    {
        using var screen = new StringWriter();
        await ShowAsync(
            (observer, live, shown) =>
            {
                observer.Begin(live);
                observer.Selected(3);
                for (var i = 0; i < 2; i++)
                {
                    observer.Track($"app:v{i}", $"v{i}", null).Complete(finished: true);
                }

                var image = observer.Track("app:big", "big", null);
                image.AddTotal(4096);
                image.Add(2048);
                live.Refresh();
            },
            screen);

        // The last frame's lines, without their colours: the overall bar's ends at its percentage and spinner.
        var lines = System.Text.RegularExpressions.Regex.Replace(screen.ToString(), "\u001b\\[[0-9;?]*[A-Za-z]", string.Empty).Split('\n');
        var overall = lines.Last(l => l.Contains("2 of 3 image(s)", StringComparison.Ordinal));
        var image = lines.Last(l => l.Contains("app:big", StringComparison.Ordinal));
        Assert.DoesNotContain("/", overall, StringComparison.Ordinal);
        Assert.Contains("50% 2.0/4.0 KiB", image, StringComparison.Ordinal);
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
    /// An image tracked by its tag without a digest: the result is that tag's, so a copy that left the destination's tag
    /// alone (the source moved it after the selection) reads "tag moved", not "copied", whatever digest was copied.
    /// </summary>
    [Fact]
    public void A_tag_left_alone_reads_tag_moved_for_an_image_tracked_without_a_digest()
    {
        using var output = new StringWriter();
        var observer = new ProgressObserver(Redirected(output), CancellationToken.None);

        observer.Track("app:v1", "v1", null);
        observer.DestinationDone(new Replicator.Core.Replication.DestinationResult(
            Replicator.Core.Replication.ReplicationDestination.Parse("us-west-2"), Replicator.Core.Replication.ReplicationOutcome.Replicated, "sha256:" + new string('a', 64), 1, 0, 10, TimeSpan.FromSeconds(1)));

        Assert.StartsWith($"{Outcomes.TagMoved}  app:v1 -> us-west-2  ", output.ToString(), StringComparison.Ordinal);
        Assert.Contains(Outcomes.TagLeftAloneDetail("v1"), output.ToString(), StringComparison.Ordinal);
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
    /// With stdout on a terminal and stderr redirected (<c>replicator sync ... 2&gt; sync.log</c>) a notice cannot tear
    /// the bars, so each retry and credential warning is written to stderr as it happens, as when no bars run, rather
    /// than the retries being left out of the log the operator kept for them.
    /// </summary>
    [Fact]
    public async Task With_stderr_redirected_retries_and_credential_warnings_are_written_there_while_the_bars_run()
    {
        using var log = new StringWriter();
        var observer = new ProgressObserver(
            new CliConsole(new CliContext
            {
                Environment = DictionaryEnvironmentVariables.Of(new Dictionary<string, string>()),
                Out = TextWriter.Null,
                Error = log,
                IsTerminal = true,
                ErrorRedirected = true,
            }),
            CancellationToken.None);
        var ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(TextWriter.Null),
            Ansi = AnsiSupport.Yes,
            Interactive = InteractionSupport.Yes,
        });

        await observer.ShowAsync(ansi, () =>
        {
            observer.Selected(1);
            observer.Retrying(new Replicator.Core.Resilience.EcrRetry("PutImage", "us-west-2", 1, "ThrottlingException", TimeSpan.FromSeconds(0.5)));
            observer.CredentialsRereadFailed("/ecr-replicator/cn-north-1", "ThrottlingException", new DateTimeOffset(2026, 12, 1, 5, 0, 0, TimeSpan.Zero));
            Assert.Equal(
                "retrying PutImage in us-west-2 after ThrottlingException (retry 1, in 0.5 s)\n"
                + "could not read SSM parameter /ecr-replicator/cn-north-1 again (ThrottlingException); the keys last read stay in use until 2026-12-01 05:00:00Z, retrying shortly\n",
                log.ToString());
            return Task.CompletedTask;
        });

        // Written once: not held for the display's end as well.
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(log.ToString(), "could not read SSM parameter"));
    }

    /// <summary>One credential warning is counted on the overall bar too: it may be the only sign a destination will stop working.</summary>
    [Fact]
    public async Task A_single_credential_warning_during_the_bars_is_counted_on_the_overall_bar()
    {
        using var error = new StringWriter();
        await ShowAsync(
            (observer, live, shown) =>
            {
                observer.Begin(live);
                observer.Selected(1);
                observer.CredentialsRereadFailed("/ecr-replicator/cn-north-1", "ThrottlingException", new DateTimeOffset(2026, 12, 1, 5, 0, 0, TimeSpan.Zero));
                live.Refresh();

                Assert.Equal("0 of 1 image(s) [yellow](1 credential warning(s), listed at the end)[/]", Assert.Single(shown()).Description);
            },
            error: error);

        Assert.Equal(
            "could not read SSM parameter /ecr-replicator/cn-north-1 again (ThrottlingException); the keys last read stay in use until 2026-12-01 05:00:00Z, retrying shortly\n",
            error.ToString());
    }

    /// <summary>
    /// On a terminal stdout and stderr are one screen. The display's last redraw moves the cursor up over the rows it
    /// drew and writes them again, so a held credential warning written before it was drawn over by the bars: it must
    /// come after that redraw, with no cursor movement after it.
    /// </summary>
    [Fact]
    public async Task Credential_warnings_held_during_the_bars_are_written_after_the_displays_last_redraw()
    {
        using var terminal = new StringWriter();
        var ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(terminal),
            Ansi = AnsiSupport.Yes,
            Interactive = InteractionSupport.Yes,
        });
        var observer = new ProgressObserver(Redirected(error: terminal), CancellationToken.None);

        await observer.ShowAsync(ansi, () =>
        {
            observer.Selected(1);
            observer.Live!.Refresh();
            observer.CredentialsRereadFailed("/ecr-replicator/cn-north-1", "ThrottlingException", new DateTimeOffset(2026, 12, 1, 5, 0, 0, TimeSpan.Zero));
            return Task.CompletedTask;
        });

        var screen = terminal.ToString();
        var notice = screen.IndexOf("could not read SSM parameter /ecr-replicator/cn-north-1 again", StringComparison.Ordinal);
        Assert.True(notice >= 0, screen);
        Assert.DoesNotMatch(@"\u001b\[[0-9]*A", screen[notice..]);
        Assert.Null(observer.Live);
    }

    /// <summary>
    /// A result line written above the bars that wraps (a long repository name or error, a narrow terminal) is written
    /// where the bars were drawn, its second row over the overall bar's row. The screen must show the line's rows
    /// alone, not the rest of the bar after them (a copy's "385.3 KiB" read "KiBf 1 image(s) ━━━ 0%" on a terminal
    /// 100 columns wide).
    /// </summary>
    [Fact]
    public async Task A_result_line_that_wraps_above_the_bars_leaves_none_of_the_bars_text_beside_it()
    {
        const int Width = 60;
        using var terminal = new StringWriter();
        var console = Terminal(terminal, Width);
        var observer = new ProgressObserver(console, CancellationToken.None);

        await observer.ShowAsync(console.Ansi, () =>
        {
            observer.Selected(2);
            var image = observer.Track("team/app:v1", null, "sha256:" + new string('a', 64));
            image.AddTotal(4096);
            image.Add(2048);
            observer.Live!.Refresh();
            observer.DestinationDone(new Replicator.Core.Replication.DestinationResult(
                Replicator.Core.Replication.ReplicationDestination.Parse("us-west-2"), Replicator.Core.Replication.ReplicationOutcome.Replicated, "sha256:" + new string('a', 64), 7, 0, 394_547, TimeSpan.FromSeconds(1)));
            image.Complete(finished: true);
            return Task.CompletedTask;
        });

        var rows = TerminalScreen.Of(terminal.ToString(), Width).Rows;
        var first = rows.ToList().FindIndex(r => r.StartsWith("copied", StringComparison.Ordinal));
        Assert.True(first >= 0, string.Join('\n', rows));
        Assert.Equal(
            "copied     team/app:v1 -> us-west-2  sha256:aaaaaaaaaaaa, 7 layers copied, 0 already there, 385.3 KiB",
            string.Join(' ', rows.Skip(first).TakeWhile(r => r.Length > 0)));
    }

    /// <summary>
    /// ECR repository names reach 256 characters and tags 128. A label wider than the terminal left no room for the
    /// other columns: every bar, the overall one included, lost its bar, percentage and bytes, and the label was cut at
    /// its end, hiding the tag that tells the images of a repository apart. The label is shortened in its middle
    /// instead, keeping its end, and each row keeps its bar and percentage.
    /// </summary>
    [Theory]
    [InlineData(120)]
    [InlineData(80)]
    [InlineData(60)]
    public async Task A_long_label_is_shortened_keeping_its_tag_and_every_row_keeps_its_bar_and_percentage(int width)
    {
        const string Tag = "v2026.12.01-4711";
        var repository = "platform/payments/" + new string('x', 117 - 18 - Tag.Length);
        var label = $"{repository}:{Tag}";
        Assert.Equal(118, label.Length);

        var rows = await LastFrameAsync(width, label, Tag);

        var overall = Assert.Single(rows, r => r.Contains("0 of 2 image(s)", StringComparison.Ordinal));
        var image = Assert.Single(rows, r => r.Contains("50%", StringComparison.Ordinal));
        Assert.Contains("\u2026", image, StringComparison.Ordinal);
        Assert.Contains($":{Tag} ", image, StringComparison.Ordinal);
        Assert.StartsWith(label[..3], image.TrimStart(), StringComparison.Ordinal);
        Assert.Contains("2.0/4.0 KiB", image, StringComparison.Ordinal);
        Assert.Contains(" 0% ", overall, StringComparison.Ordinal);
        foreach (var row in new[] { overall, image })
        {
            Assert.True(row.Contains("\u2501\u2501\u2501", StringComparison.Ordinal) || row.Contains("---", StringComparison.Ordinal), row);
        }
    }

    /// <summary>
    /// The label's cap leaves the other columns 36 cells, the bytes 17 of them ("1023.9/1024.0 KiB"). Spectre narrows the
    /// widest columns that may wrap first, and once the bar was as narrow as the bytes it narrowed both: a label at the
    /// cap left the bytes 13 cells, so an image of hundreds of MiB ("123.4/567.8 MiB", 15) wrapped its unit onto a row
    /// of its own under the bars, at every width, 52 (where the label takes its floor, 16) as 120. The bytes and the
    /// percentage are never wrapped: the bar alone gives up its width, down to 43 columns, where it has one cell left.
    /// </summary>
    [Theory]
    [InlineData(52, 595_378_995, 129_394_278, "123.4/567.8 MiB")]
    [InlineData(80, 595_378_995, 129_394_278, "123.4/567.8 MiB")]
    [InlineData(120, 595_378_995, 129_394_278, "123.4/567.8 MiB")]
    [InlineData(52, 1_048_575, 1_048_473, "1023.9/1024.0 KiB")]
    [InlineData(120, 1_048_575, 1_048_473, "1023.9/1024.0 KiB")]
    [InlineData(44, 1_048_575, 1_048_473, "1023.9/1024.0 KiB")] // below the floor's 52, the bar takes what is left
    [InlineData(43, 1_048_575, 1_048_473, "1023.9/1024.0 KiB")]
    public async Task A_label_at_its_cap_leaves_an_images_bytes_on_its_row(int width, long total, long copied, string bytes)
    {
        var label = "platform/payments/" + new string('x', 200) + ":v12";

        var rows = await LastFrameAsync(width, label, "v12", total: total, copied: copied);

        Assert.True(rows.Count == 2, string.Join('\n', rows));
        var image = Assert.Single(rows, r => r.Contains("xxx:v12 ", StringComparison.Ordinal));
        Assert.Contains("\u2026", image, StringComparison.Ordinal);
        Assert.Matches($" [0-9]+% {System.Text.RegularExpressions.Regex.Escape(bytes)} ", image);
        Assert.Contains("\u2501", image, StringComparison.Ordinal);
    }

    /// <summary>
    /// Below 52 columns, where the rule would leave the label fewer than 16 cells, it keeps its floor of 16: room for its
    /// start, "…" and a typical ":tag" ("platform…xxx:v12"); the bar gives up the width instead.
    /// </summary>
    [Theory]
    [InlineData(51)]
    [InlineData(44)]
    public async Task Below_52_columns_a_long_label_keeps_its_floor_of_16_cells(int width)
    {
        var label = "platform/payments/" + new string('x', 200) + ":v12";

        var rows = await LastFrameAsync(width, label, "v12");

        var image = Assert.Single(rows, r => r.Contains("xxx:v12 ", StringComparison.Ordinal));
        Assert.StartsWith("platform\u2026xxx:v12 ", image.TrimStart(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A tag wider than all of the label's room (ECR allows 128 characters; a CI build's tag with a commit id runs long)
    /// leaves no room for the label's start: the row shows "…" and as much of the tag's end as fits, where the tags of
    /// one repository's builds differ, with its bar, percentage and bytes beside it.
    /// </summary>
    [Theory]
    [InlineData(80)]
    [InlineData(44)]
    public async Task A_tag_wider_than_the_labels_room_shows_its_end_after_the_ellipsis(int width)
    {
        const string Tag = "feature-payments-refactor-build-2026-12-01-0123456789abcdef0123456789abcdef";
        var room = ProgressObserver.LabelColumn.LabelCells(width) - 1;
        Assert.True(Tag.Length > room);

        var rows = await LastFrameAsync(width, "team/app:" + Tag, Tag);

        var image = Assert.Single(rows, r => r.Contains("50%", StringComparison.Ordinal));
        Assert.StartsWith("\u2026" + Tag[^room..] + " ", image.TrimStart(), StringComparison.Ordinal);
        Assert.Contains("2.0/4.0 KiB", image, StringComparison.Ordinal);
    }

    /// <summary>
    /// The percentage keeps the 4 cells of "100%" in every frame, as Spectre's own column does, though it is wrapped to be
    /// never wrapped: while every bar shows 0% the bar does not take 2 cells more, to give them back when a bar reaches
    /// 10% and 100%, each redraw moving the bar's end.
    /// </summary>
    [Fact]
    public async Task The_percentage_keeps_four_cells_while_every_bar_is_at_0()
    {
        var rows = await LastFrameAsync(80, "team/app:v1", "v1", copied: 0);

        Assert.Equal(2, rows.Count);
        Assert.All(rows, row => Assert.Matches(@"\S   0% ", row));
    }

    /// <summary>A label that fits is shown whole, as before.</summary>
    [Theory]
    [InlineData(120)]
    [InlineData(60)]
    public async Task A_short_label_is_shown_whole(int width)
    {
        var rows = await LastFrameAsync(width, "team/app:v1", "v1");

        var image = Assert.Single(rows, r => r.Contains("50%", StringComparison.Ordinal));
        Assert.Equal("team/app:v1", image.Trim().Split(' ')[0]);
        Assert.DoesNotContain("\u2026", string.Join('\n', rows), StringComparison.Ordinal);
    }

    /// <summary>
    /// The overall bar's text carries markup (its counts apart in colour): next to a long label it is shown whole on a
    /// terminal wide enough for it; a narrow one cuts its end, never showing markup as text.
    /// </summary>
    [Theory]
    [InlineData(120, true)]
    [InlineData(60, false)]
    public async Task The_overall_bars_text_stays_intact_next_to_a_long_label(int width, bool whole)
    {
        var label = new string('r', 100) + ":v1";

        var rows = await LastFrameAsync(width, label, "v1", warn: true);

        var overall = Assert.Single(rows, r => r.Contains("1 of 3 image(s) ", StringComparison.Ordinal));
        Assert.DoesNotContain("[", string.Join('\n', rows), StringComparison.Ordinal);
        Assert.Contains(" 33% ", overall, StringComparison.Ordinal);
        Assert.Contains(whole ? "1 of 3 image(s) (1 not done) (1 credential warning(s), listed at the end) " : "1 of 3 image(s) (1 not\u2026 ", overall, StringComparison.Ordinal);
    }

    /// <summary>
    /// Shortening counts terminal cells, not characters (a CJK character takes two), and works on the text as parsed, so
    /// an escaped bracket (<c>[[</c>) is one character shown, never half an escape, and a digest label keeps its digest.
    /// </summary>
    [Theory]
    [InlineData("\u5e73\u53f0/\u652f\u4ed8/\u670d\u52a1\u670d\u52a1\u670d\u52a1\u670d\u52a1:v1", 12, "\u5e73\u53f0/\u2026\u52a1:v1")]
    [InlineData("team/[[legacy]]/payments-service-with-a-long-name:v2", 24, "team/[legacy\u2026ong-name:v2")]
    [InlineData("team/payments-service@sha256:0123456789ab", 24, "tea\u2026@sha256:0123456789ab")]
    public void A_label_is_shortened_to_its_cells_keeping_its_end(string markup, int cells, string expected)
    {
        var ansi = Terminal(TextWriter.Null, 80).Ansi;
        var options = Spectre.Console.Rendering.RenderOptions.Create(ansi, ansi.Profile.Capabilities);
        var segments = ((Spectre.Console.Rendering.IRenderable)new Markup(markup)).Render(options, int.MaxValue).ToList();

        var shown = ProgressObserver.LabelColumn.Shorten(segments, cells, keepStart: false);

        var text = string.Concat(shown.Select(p => p.Text));
        Assert.Equal(expected, text);
        Assert.True(new Spectre.Console.Rendering.Segment(text).CellCount() <= cells, text);
    }

    /// <summary>
    /// Runs a display on a terminal <paramref name="width"/> columns wide holding one image, <paramref name="label"/>, half
    /// copied (and, when <paramref name="warn"/>, one image not done and a credential warning waiting), and gives the
    /// rows of its last frame.
    /// </summary>
    private static async Task<IReadOnlyList<string>> LastFrameAsync(int width, string label, string tag, bool warn = false, long total = 4096, long copied = 2048)
    {
        using var terminal = new StringWriter();
        var console = Terminal(terminal, width);
        var observer = new ProgressObserver(console, CancellationToken.None);

        await observer.ShowAsync(console.Ansi, () =>
        {
            if (warn)
            {
                observer.Selected(3);
                observer.Track("team/app:v0", "v0", null).Complete(finished: false);
                observer.CredentialsRereadFailed("/ecr-replicator/cn-north-1", "ThrottlingException", new DateTimeOffset(2026, 12, 1, 5, 0, 0, TimeSpan.Zero));
            }
            else
            {
                observer.Selected(2);
            }

            var image = observer.Track(label, tag, null);
            image.AddTotal(total);
            image.Add(copied);
            observer.Live!.Refresh();
            return Task.CompletedTask;
        });

        var screen = TerminalScreen.Of(terminal.ToString(), width);
        var all = screen.Rows;
        // The last frame: the rows from the last overall bar's on (the display redraws over the rows it drew before).
        var last = all.ToList().FindLastIndex(r => r.Contains(" image(s)", StringComparison.Ordinal));
        Assert.True(last >= 0, string.Join('\n', all));
        return [.. all.Skip(last).TakeWhile(r => r.Length > 0 && !r.StartsWith("could not", StringComparison.Ordinal))];
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

    /// <summary>
    /// A run that ends in an exception (a stop signal's OperationCanceledException, which ReplicationRunner catches
    /// after the display) still ends the display: the credential warnings held while it ran are written, once, and the
    /// observer writes its notices at once again. The exception is the caller's, unchanged.
    /// </summary>
    [Fact]
    public async Task A_run_that_throws_still_writes_the_credential_warnings_held_during_the_bars()
    {
        using var terminal = new StringWriter();
        var observer = new ProgressObserver(Redirected(error: terminal), CancellationToken.None);

        await Assert.ThrowsAsync<OperationCanceledException>(() => observer.ShowAsync(AnsiTerminal(terminal), () =>
        {
            observer.CredentialsRereadFailed("/ecr-replicator/cn-north-1", "ThrottlingException", new DateTimeOffset(2026, 12, 1, 5, 0, 0, TimeSpan.Zero));
            throw new OperationCanceledException();
        }));

        Assert.Null(observer.Live);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(terminal.ToString(), "could not read SSM parameter /ecr-replicator/cn-north-1 again"));
    }

    /// <summary>
    /// The display sync shows is the one these tests check through <see cref="ShowAsync(Action{ProgressObserver, ProgressContext, Func{IReadOnlyList{ProgressTask}}}, TextWriter?, TextWriter?)"/>:
    /// an image's bar with its bytes (<see cref="ProgressObserver.Columns"/>), and once the run is done its last frame
    /// stays on the screen (the overall bar's final count), not cleared away with the bars.
    /// </summary>
    [Fact]
    public async Task The_bars_show_an_images_bytes_and_stay_on_the_screen_once_the_run_is_done()
    {
        using var terminal = new StringWriter();
        var observer = new ProgressObserver(Redirected(), CancellationToken.None);

        await observer.ShowAsync(AnsiTerminal(terminal), () =>
        {
            observer.Selected(2);
            observer.Track("app:v1", "v1", null).Complete(finished: true);
            var image = observer.Track("app:big", "big", null);
            image.AddTotal(4096);
            image.Add(2048);
            observer.Live!.Refresh();
            Assert.Contains("50% 2.0/4.0 KiB", Plain(terminal.ToString()), StringComparison.Ordinal);
            image.Complete(finished: true);
            return Task.CompletedTask;
        });

        // The last frame drawn is the one left: nothing moves the cursor back over it or erases it.
        var screen = terminal.ToString();
        var last = screen.LastIndexOf("2 of 2 image(s)", StringComparison.Ordinal);
        Assert.True(last >= 0, screen);
        Assert.DoesNotMatch(@"\u001b\[[0-9]*[AJK]", screen[last..]);
    }

    /// <summary>
    /// The warnings a display held are written when that display ends, and only then: an observer shown again (a second
    /// display) writes at its end only the warnings held during it, each still once.
    /// </summary>
    [Fact]
    public async Task A_second_display_writes_only_the_warnings_held_during_it()
    {
        using var terminal = new StringWriter();
        var observer = new ProgressObserver(Redirected(error: terminal), CancellationToken.None);
        var until = new DateTimeOffset(2026, 12, 1, 5, 0, 0, TimeSpan.Zero);

        await observer.ShowAsync(AnsiTerminal(terminal), () =>
        {
            observer.CredentialsRereadFailed("/ecr-replicator/cn-north-1", "ThrottlingException", until);
            return Task.CompletedTask;
        });
        await observer.ShowAsync(AnsiTerminal(terminal), () =>
        {
            observer.CredentialsRenewalFailed("arn:aws:iam::222222222222:role/ecr-replicator-destination", "AccessDenied", until);
            return Task.CompletedTask;
        });

        var screen = terminal.ToString();
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(screen, "could not read SSM parameter /ecr-replicator/cn-north-1 again"));
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(screen, "could not renew the session of arn:aws:iam::222222222222:role/ecr-replicator-destination"));
    }

    /// <summary>An interactive ANSI console writing to <paramref name="terminal"/>, as sync's on a terminal.</summary>
    private static IAnsiConsole AnsiTerminal(TextWriter terminal) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(terminal),
        Ansi = AnsiSupport.Yes,
        Interactive = InteractionSupport.Yes,
    });

    /// <summary>The screen's text without its escape sequences.</summary>
    private static string Plain(string screen) => System.Text.RegularExpressions.Regex.Replace(screen, "\u001b\\[[0-9;?]*[A-Za-z]", string.Empty);

    /// <summary>A console on a terminal of <paramref name="width"/> columns with ANSI support, writing to <paramref name="screen"/>.</summary>
    private static CliConsole Terminal(TextWriter screen, int width)
    {
        var console = new CliConsole(new CliContext
        {
            Environment = DictionaryEnvironmentVariables.Of(new Dictionary<string, string>()),
            Out = screen,
            Error = screen,
            IsTerminal = true,
        });
        console.Ansi.Profile.Width = width;
        console.Ansi.Profile.Capabilities.Ansi = true;
        return console;
    }

    private static CliConsole Redirected(TextWriter? output = null, TextWriter? error = null) => new(new CliContext
    {
        Environment = DictionaryEnvironmentVariables.Of(new Dictionary<string, string>()),
        Out = output ?? TextWriter.Null,
        Error = error ?? TextWriter.Null,
    });
}
