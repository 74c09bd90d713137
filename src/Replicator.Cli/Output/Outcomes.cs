using Replicator.Core.Errors;
using Replicator.Core.Replication;

namespace Replicator.Cli.Output;

/// <summary>How one destination's result reads in a line and a summary row.</summary>
/// <param name="Word">The outcome, one word (two for a tag moved).</param>
/// <param name="Colour">Spectre's colour of the word on a terminal.</param>
/// <param name="Detail">The error, or what the operator must know of a success; empty when there is nothing more.</param>
/// <param name="Done">The destination now holds what the source held for this request: the exit code is 0 only if every row is.</param>
public readonly record struct OutcomeText(string Word, string Colour, string Detail, bool Done);

/// <summary>How outcomes read in lines and tables.</summary>
public static class Outcomes
{
    public const string Copied = "copied";
    public const string UpToDate = "up-to-date";
    public const string Skipped = "skipped";
    public const string Deleted = "deleted";
    public const string Archived = "archived";
    public const string Failed = "FAILED";
    public const string Interrupted = "interrupted";
    public const string TagMoved = "tag moved";

    /// <param name="result">One destination's result.</param>
    /// <param name="requestedTag">The tag the request named, if any.</param>
    /// <param name="stopped">A stop signal (Ctrl+C, SIGTERM) has cancelled the run.</param>
    public static OutcomeText Describe(DestinationResult result, string? requestedTag, bool stopped)
    {
        ArgumentNullException.ThrowIfNull(result);

        // The engine reports a copy its token cut short as DeadlineExceeded (the function's deadline); the CLI's only
        // token is its stop signals, so in a stopped run it is the operator's interruption, not a failure to look into.
        if (stopped && result is { Outcome: ReplicationOutcome.Failed, ErrorCode: ReplicationErrorCodes.DeadlineExceeded })
        {
            return new(Interrupted, "yellow", "stopped before it finished; layers already copied are kept and skipped next time", false);
        }

        // The tag was resolved to a digest when the images were selected, and the source moved or removed it before the
        // copy: the digest was copied but the engine left the destination's tag alone (it would name an image the
        // source's tag no longer does). The destination's tag is not the source's, so the run is not done.
        if (requestedTag is not null && result.Tag is null && result.Outcome is ReplicationOutcome.Replicated or ReplicationOutcome.UpToDate)
        {
            return new(TagMoved, "yellow", TagLeftAloneDetail(requestedTag), false);
        }

        return result.Outcome switch
        {
            ReplicationOutcome.Failed => new(Failed, "red", Format.Failure(result), false),
            ReplicationOutcome.Replicated => new(Copied, "green", Note(result), true),
            ReplicationOutcome.UpToDate => new(UpToDate, "grey", Note(result), true),
            ReplicationOutcome.Skipped => new(Skipped, "grey", Note(result), true),
            ReplicationOutcome.Deleted => new(Deleted, "grey", Note(result), true),
            ReplicationOutcome.Archived => new(Archived, "grey", Note(result), true),
            _ => throw new ArgumentOutOfRangeException(nameof(result), result.Outcome, "unknown outcome"),
        };
    }

    /// <summary>What a tag moved in the source since the selection means, in a copy's line and in a plan's row.</summary>
    public static string TagLeftAloneDetail(string tag) =>
        $"tag {tag} left alone: the source moved or removed it after the images were selected; run the command again";

    // A success's message is a note (referrers left to their own events, a repository setting not applied, why an
    // image was skipped): shown, redacted as errors are, since it quotes ECR.
    private static string Note(DestinationResult result) =>
        result.Message is { Length: > 0 } note ? Function.Observability.Redactor.Redact(ErrorText.OneLine(note)) : string.Empty;
}
