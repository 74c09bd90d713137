namespace Replicator.Core.Errors;

/// <summary>How a message from a dependency is quoted inside one of ours: on one line, and cut.</summary>
public static class ErrorText
{
    /// <summary>Characters kept of a quoted message: enough for an AWS error's sentence and the names in it.</summary>
    public const int MaxQuotedLength = 300;

    /// <summary>
    /// <paramref name="message"/> on one line (a log line and a dead-letter reason are one line each), cut to
    /// <see cref="MaxQuotedLength"/> characters. It is not redacted here: the function redacts every log line and
    /// dead-letter reason it writes; the CLI prints to the operator who ran it, with the operator's own credentials.
    /// </summary>
    public static string Quote(string? message)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            return string.Empty;
        }

        var line = message.Trim().ReplaceLineEndings(" ");
        return line.Length <= MaxQuotedLength ? line : line[..MaxQuotedLength] + "...";
    }
}
