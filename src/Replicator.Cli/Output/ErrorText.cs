namespace Replicator.Cli.Output;

/// <summary>Error messages as one line each: some SDK messages span many lines (the credential chain lists every provider).</summary>
public static class ErrorText
{
    public const string NoCredentials =
        "no AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role is available";

    /// <summary>How AWSSDK.Core's default credential chain starts the message of its failure.</summary>
    public const string CredentialChainFailure = "Failed to resolve AWS credentials";

    /// <summary>Each provider's reason is cut to this many characters: one of them could quote a long file or document.</summary>
    public const int MaxReasonLength = 200;

    private const string ReasonPrefix = "Exception ";

    public static string OneLine(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var first = lines.FirstOrDefault() ?? string.Empty;

        // The chain's own heading ends the phrase with a period; a message that goes on ("... from the config profile
        // (ops): ...", AwsSdkCredentialsSource.ForProfile) already names what is wrong, and the general advice would
        // hide it.
        if (message.StartsWith(CredentialChainFailure + ".", StringComparison.Ordinal))
        {
            var reasons = CredentialReasons(lines);
            return reasons.Count == 0 ? NoCredentials : $"{NoCredentials} (the AWS SDK's credential providers: {string.Join("; ", reasons)})";
        }

        return first.Length == 0 ? "unknown error" : first;
    }

    /// <summary>
    /// The reason each provider of the chain gave, which tells a profile that does not exist from an expired SSO token
    /// or an unreachable instance role. AWSSDK.Core writes one line per provider, <c>Exception {i} of {n}: {message}</c>
    /// (DefaultAWSCredentialsIdentityResolver, github.com/aws/aws-sdk-net);
    /// the messages name settings and files, never a key.
    /// </summary>
    private static List<string> CredentialReasons(IEnumerable<string> lines)
    {
        var reasons = new List<string>();
        foreach (var line in lines)
        {
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (!line.StartsWith(ReasonPrefix, StringComparison.Ordinal) || colon < 0)
            {
                continue;
            }

            var reason = line[(colon + 2)..].Trim();
            if (reason.Length > 0)
            {
                // Cut between words, as every quoted message: the console redacts after the cut.
                reasons.Add(Core.Errors.ErrorText.Quote(reason, MaxReasonLength));
            }
        }

        return reasons;
    }
}
