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
        // A live display on an interactive ANSI console of its own, whose render hook sees the tasks of each redraw.
        using var screen = new StringWriter();
        var ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(screen),
            Ansi = AnsiSupport.Yes,
            Interactive = InteractionSupport.Yes,
        });
        var observer = new ProgressObserver(Redirected(), CancellationToken.None);
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
                Assert.Equal(["200 of 201 image(s)", "app:last"], shown.Select(t => t.Description));
                Assert.Equal((200, 201), (shown[0].Value, shown[0].MaxValue));
                running.Complete(finished: true);
                live.Refresh();
                Assert.Equal(["201 of 201 image(s)"], shown.Select(t => t.Description));
                observer.End();
                return Task.CompletedTask;
            });

        Assert.Null(observer.Live);
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

    private static CliConsole Redirected() => new(new CliContext
    {
        Environment = DictionaryEnvironmentVariables.Of(new Dictionary<string, string>()),
        Out = TextWriter.Null,
        Error = TextWriter.Null,
    });
}
