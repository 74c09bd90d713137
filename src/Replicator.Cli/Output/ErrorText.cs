namespace Replicator.Cli.Output;

/// <summary>Error messages as one line each: some SDK messages span many lines (the credential chain lists every provider).</summary>
public static partial class ErrorText
{
    public const string NoCredentials =
        "no AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role is available";

    /// <summary>How AWSSDK.Core's default credential chain starts the message of its failure.</summary>
    public const string CredentialChainFailure = "Failed to resolve AWS credentials";

    /// <summary>Each provider's reason is cut to this many characters: one of them could quote a long file or document.</summary>
    public const int MaxReasonLength = 200;

    private const string ReasonPrefix = "Exception ";

    private const string WebIdentityTokenFileVariable = "AWS_WEB_IDENTITY_TOKEN_FILE";

    /// <param name="environment">
    /// The process's environment as the AWS SDK read it (its credential chain reads the process's variables):
    /// <see cref="Environment.GetEnvironmentVariable(string)"/> unless given.
    /// </param>
    public static string OneLine(string message, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var first = lines.FirstOrDefault() ?? string.Empty;

        // The chain's own heading ends the phrase with a period; a message that goes on ("... from the config profile
        // (ops): ...", AwsSdkCredentialsSource.ForProfile) already names what is wrong, and the general advice would
        // hide it.
        if (message.StartsWith(CredentialChainFailure + ".", StringComparison.Ordinal))
        {
            var reasons = CredentialReasons(lines, environment ?? Environment.GetEnvironmentVariable);
            return reasons.Count == 0 ? NoCredentials : $"{NoCredentials} (the AWS SDK's credential providers: {string.Join("; ", reasons.Select(WithoutFullStop))})";
        }

        return first.Length == 0 ? "unknown error" : first;
    }

    /// <summary>
    /// A message without its closing full stop, for a list joined with "; " (".;" reads as a typo); an ellipsis (a
    /// message cut to length) stays.
    /// </summary>
    internal static string WithoutFullStop(string reason) =>
        reason.EndsWith('.') && !reason.EndsWith("..", StringComparison.Ordinal) ? reason[..^1] : reason;

    /// <summary>
    /// The reason each provider of the chain gave, which tells a profile that does not exist from an expired SSO token
    /// or an unreachable instance role. AWSSDK.Core writes one line per provider, <c>Exception {i} of {n}: {message}</c>
    /// (DefaultAWSCredentialsIdentityResolver, github.com/aws/aws-sdk-net);
    /// the messages name settings and files, never a key.
    /// </summary>
    /// <remarks>
    /// The web identity provider fails with "The webIdentityTokenFile must be an absolute path" even when
    /// AWS_WEB_IDENTITY_TOKEN_FILE is not set: a reason about a setting the user never made is left out.
    /// </remarks>
    private static List<string> CredentialReasons(IEnumerable<string> lines, Func<string, string?> environment)
    {
        var webIdentitySet = !string.IsNullOrEmpty(environment(WebIdentityTokenFileVariable));
        var reasons = new List<string>();
        foreach (var line in lines)
        {
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (!line.StartsWith(ReasonPrefix, StringComparison.Ordinal) || colon < 0)
            {
                continue;
            }

            var reason = line[(colon + 2)..].Trim();
            if (!webIdentitySet && reason.Contains("webIdentityTokenFile", StringComparison.Ordinal))
            {
                continue;
            }

            // AWSSDK.Core's chain refuses an SSO profile with no token in the AWS CLI's cache as a profile type "not
            // allowed here" and advises another type: the profile is fine, its user has not signed in (the SDK reads
            // the cache that `aws sso login` writes: docs.aws.amazon.com/sdkref/latest/guide/understanding-sso.html).
            if (SsoProfileNotSignedIn().Match(reason) is { Success: true } sso)
            {
                reasons.Add(Core.Signing.AwsSdkCredentialsSource.SsoSignInAdvice(sso.Groups["profile"].Value));
                continue;
            }

            if (reason.Length > 0)
            {
                // Cut between words, as every quoted message: the console redacts after the cut.
                reasons.Add(Core.Errors.ErrorText.Quote(reason, MaxReasonLength));
            }
        }

        return reasons;
    }

    // AWSSDK.Core's AWSCredentialsFactory: "The profile [NAME] is an SSO profile.  This type of profile is not allowed here. ..."
    [System.Text.RegularExpressions.GeneratedRegex(@"^The profile \[(?<profile>[^\]]+)\] is an SSO profile\.", System.Text.RegularExpressions.RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial System.Text.RegularExpressions.Regex SsoProfileNotSignedIn();
}
