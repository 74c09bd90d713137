namespace Replicator.Cli.Output;

/// <summary>Error messages as one line each: some SDK messages span many lines (the credential chain lists every provider).</summary>
public static class ErrorText
{
    public const string NoCredentials =
        "no AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role is available";

    public static string OneLine(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.StartsWith("Failed to resolve AWS credentials", StringComparison.Ordinal))
        {
            return NoCredentials;
        }

        var first = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? string.Empty;
        return first.Length == 0 ? "unknown error" : first;
    }
}
