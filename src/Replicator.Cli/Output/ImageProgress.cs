using Spectre.Console;

namespace Replicator.Cli.Output;

/// <summary>One image's bar: its total grows as each destination's plan arrives.</summary>
/// <param name="label">What the bar and the image's lines call it.</param>
/// <param name="tag">The tag the request named, if any.</param>
/// <param name="digest">The digest the request named.</param>
/// <param name="task">The bar, on a terminal; null when redirected.</param>
/// <param name="completed">Called once the bar has stopped, with whether the image was done (<see cref="ProgressObserver"/> takes it off the display).</param>
public sealed class ImageProgress(string label, string? tag, string? digest, ProgressTask? task, Action<ProgressTask, bool>? completed = null)
{
    private long _total;

    public string Label { get; } = label;

    /// <summary>The tag the request named, if any: a destination that did not move it reads as such.</summary>
    public string? Tag { get; } = tag;

    /// <summary>The digest the request named: results of other images on the same flow (a subject copied first) are not its tag's.</summary>
    public string? Digest { get; } = digest;

    public void AddTotal(long bytes)
    {
        var total = Interlocked.Add(ref _total, bytes);
        task?.MaxValue = Math.Max(total, 1);
    }

    public void Add(long bytes) => task?.Increment(bytes);

    /// <summary>
    /// Stops the bar and hands it to whoever removes it from the display. A finished image's bar is filled (a layer
    /// another image copied was counted there); a failed or interrupted one stays where its bytes got it.
    /// </summary>
    public void Complete(bool finished)
    {
        if (task is not null)
        {
            if (finished)
            {
                task.Value = task.MaxValue;
            }

            task.StopTask();
            completed?.Invoke(task, finished);
        }
    }
}
