using Replicator.Cli.Output;
using Replicator.Core.Replication;

namespace Replicator.Cli.Commands;

/// <summary>
/// What sync and copy keep of a run's results once each image's lines are written: counts per outcome, bytes, images
/// done, and the first <see cref="MaxNotDone"/> destinations that are not done (failed, interrupted, tag moved), for the
/// closing summary and the exit code. Nothing else of a result is kept, so a run of a million images holds as much as
/// one of ten (a list of every result, for one table at the end, took about 17 KB a row). Thread safe: images finish
/// on parallel flows.
/// </summary>
public sealed class RunTally
{
    /// <summary>Not-done destinations repeated at the end; the others were printed as they finished.</summary>
    public const int MaxNotDone = 100;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _words = new(StringComparer.Ordinal);
    private readonly List<NotDoneRow> _notDone = [];

    /// <summary>Images that came back (finished, failed or cut short).</summary>
    public int Images { get; private set; }

    /// <summary>Images every destination of which holds what the source held (<see cref="ImageRun.Done"/>).</summary>
    public int Done { get; private set; }

    /// <summary>A stop signal cut some image's copy short.</summary>
    public bool Interrupted { get; private set; }

    public long BytesCopied { get; private set; }

    /// <summary>Destinations not done, all of them, of which <see cref="NotDone"/> holds the first few.</summary>
    public int NotDoneCount { get; private set; }

    public IReadOnlyList<NotDoneRow> NotDone
    {
        get
        {
            lock (_gate)
            {
                return [.. _notDone];
            }
        }
    }

    /// <param name="run">One image's result.</param>
    /// <param name="stopped">A stop signal had cancelled the run when it came back: a copy it cut short reads as interrupted.</param>
    public void Add(ImageRun run, bool stopped)
    {
        ArgumentNullException.ThrowIfNull(run);
        lock (_gate)
        {
            Images++;
            var done = true;
            foreach (var d in run.Result.Destinations)
            {
                var text = Outcomes.Describe(d, run.Tag, stopped);
                _words[text.Word] = _words.GetValueOrDefault(text.Word) + 1;
                BytesCopied += d.BytesCopied;
                Interrupted |= text.Word == Outcomes.Interrupted;
                if (!text.Done)
                {
                    done = false;
                    NotDoneCount++;
                    if (_notDone.Count < MaxNotDone)
                    {
                        _notDone.Add(new NotDoneRow(run.Repository, run.Tag, d, text));
                    }
                }
            }

            Done += done ? 1 : 0;
        }
    }

    /// <summary>
    /// "N image(s), N copied, N up to date, N skipped, N failed, SIZE copied": the four counts every run has, and the
    /// rarer ones (archived, deleted, tag moved, interrupted) only when they happened.
    /// </summary>
    public string Caption()
    {
        lock (_gate)
        {
            string Count(string word) => _words.GetValueOrDefault(word).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var rare = new[] { Outcomes.Archived, Outcomes.Deleted, Outcomes.TagMoved, Outcomes.Interrupted }
                .Where(_words.ContainsKey)
                .Select(word => $", {Count(word)} {word}");
            return $"{Images} image(s), {Count(Outcomes.Copied)} copied, {Count(Outcomes.UpToDate)} up to date, {Count(Outcomes.Skipped)} skipped, {Count(Outcomes.Failed)} failed" +
                $"{string.Concat(rare)}, {Format.Bytes(BytesCopied)} copied";
        }
    }
}

/// <summary>One destination of one image that is not done, as the closing table repeats it.</summary>
public sealed record NotDoneRow(string Repository, string? Tag, DestinationResult Result, OutcomeText Text);
