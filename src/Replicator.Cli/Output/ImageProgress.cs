using Spectre.Console;

namespace Replicator.Cli.Output;

/// <summary>One image's bar: its total grows as each destination's plan arrives.</summary>
public sealed class ImageProgress(string label, ProgressTask? task)
{
    private long _total;

    public string Label { get; } = label;

    public void AddTotal(long bytes)
    {
        var total = Interlocked.Add(ref _total, bytes);
        task?.MaxValue = Math.Max(total, 1);
    }

    public void Add(long bytes) => task?.Increment(bytes);

    public void Complete()
    {
        if (task is not null)
        {
            task.Value = task.MaxValue;
            task.StopTask();
        }
    }
}
