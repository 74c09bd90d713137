namespace Replicator.Core.Errors;

/// <summary>How a message from a dependency is quoted inside one of ours: on one line, and cut.</summary>
public static class ErrorText
{
    /// <summary>Characters kept of a quoted message: enough for an AWS error's sentence and the names in it.</summary>
    public const int MaxQuotedLength = 300;

    /// <summary>
    /// <paramref name="message"/> on one line (a log line and a dead-letter reason are one line each), cut to at most
    /// <see cref="MaxQuotedLength"/> characters. It is not redacted here: the function redacts every log line and
    /// dead-letter reason it writes, and the CLI every failure and error line it prints (its output ends up in CI logs).
    /// </summary>
    /// <remarks>
    /// The redaction runs after the cut, and half a secret is too short for its pattern (a secret access key is 40
    /// characters, an access key id 20: docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html). So
    /// the cut never goes through a word: a run of the characters a key, a token, a JWT or a key name is made of
    /// (letters, digits and <c>/+=_.-</c>) that the cut would split is dropped whole.
    /// </remarks>
    public static string Quote(string? message) => Quote(message, MaxQuotedLength);

    /// <summary>As <see cref="Quote(string?)"/>, cut to at most <paramref name="maxLength"/> characters.</summary>
    public static string Quote(string? message, int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        if (string.IsNullOrWhiteSpace(message))
        {
            return string.Empty;
        }

        var line = message.Trim().ReplaceLineEndings(" ");
        if (line.Length <= maxLength)
        {
            return line;
        }

        var end = maxLength;
        if (InWord(line[end]))
        {
            while (end > 0 && InWord(line[end - 1]))
            {
                end--;
            }
        }

        return line[..end].TrimEnd() + "...";
    }

    private static bool InWord(char c) => char.IsAsciiLetterOrDigit(c) || c is '/' or '+' or '=' or '_' or '.' or '-';
}
