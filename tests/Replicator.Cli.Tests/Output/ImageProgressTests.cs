using Replicator.Cli.Output;
using Spectre.Console;

namespace Replicator.Cli.Tests.Output;

public sealed class ImageProgressTests
{
    [Theory]
    [InlineData(true, 100)]
    [InlineData(false, 40)]
    public void Only_a_finished_image_fills_its_bar_and_every_bar_stops(bool finished, double value)
    {
        var task = new ProgressTask(1, "app:v1", maxValue: 1);
        var progress = new ImageProgress("app:v1", "v1", "sha256:" + new string('a', 64), task);
        progress.AddTotal(100);
        progress.Add(40);

        progress.Complete(finished);

        Assert.Equal(value, task.Value);
        Assert.True(task.IsFinished);
    }
}
