namespace Replicator.Core.Errors;

/// <summary>How a message from a dependency is quoted inside one of ours: on one line, and cut.</summary>
public static class ErrorText
{
    /// <summary>Characters kept of a quoted message: enough for an AWS error's sentence and the names in it.</summary>
    public const int MaxQuotedLength = 300;

    /// <summary>
    /// <paramref name="message"/> on one line (a log line and a dead-letter reason are one line each), cut to
    /// <see cref="MaxQuotedLength"/> characters. It is not redacted here: the shells redact every line they print.
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
