using System.Globalization;
using Replicator.Core.Configuration;
using Replicator.Core.Ecr;
using Replicator.Core.Errors;
using Replicator.Core.Replication;
using Replicator.Function.Observability;

namespace Replicator.Cli.Output;

/// <summary>Human forms of digests, sizes and durations for tables and lines.</summary>
public static class Format
{
    /// <summary>
    /// A failed destination's code and message on one line, redacted as the function redacts its log lines: the
    /// engine's messages quote AWS's, and a CLI's output ends up in CI logs (Redactor: access keys, tokens, signatures,
    /// presigned queries).
    /// </summary>
    public static string Failure(DestinationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Redactor.Redact(ErrorText.OneLine($"{result.ErrorCode}: {result.Message}"));
    }

    /// <summary>
    /// An error as the CLI words it: an ECR error's message (it already reads "Operation: Code: message (status,
    /// request id)"), the engine's code and message, an SQS, STS or SSM error's code and message, the SDK's "Failed to
    /// resolve AWS credentials ..." as it is, anything else (a transport failure, a bug) with its type. Another AWS
    /// SDK client error, or an error of any other kind, is followed by the first line of each inner exception's message
    /// that says something new. Not redacted: the console redacts every line it prints.
    /// </summary>
    public static string ErrorLine(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            EcrException e => e.Message,

            // Written for the user, naming the setting (SettingException's contract): a type name before it says nothing.
            // One reaches here from a read outside the usage checks, such as the shared config file's region read for
            // the default source region when AWS_CA_BUNDLE is set (so the bundle check had not parsed the file first).
            SettingException e => e.Message,
            ReplicationException e => $"{e.ErrorCode}: {e.Message}",
            Amazon.Runtime.AmazonServiceException e => $"{e.ErrorCode}: {e.Message}",
            Amazon.Runtime.AmazonClientException e when e.Message.StartsWith("Failed to resolve AWS credentials", StringComparison.Ordinal) => e.Message,
            Amazon.Runtime.ProcessAWSCredentialException e when IsUnsupportedProcessVersion(e) =>
                $"{e.GetType().Name}: the profile's credential_process printed a \"Version\" other than 1, the only version the AWS SDKs and the AWS CLI accept (https://docs.aws.amazon.com/sdkref/latest/guide/feature-process-credentials.html)",
            _ => WithCauses($"{exception.GetType().Name}: {FirstLine(exception.Message)}", exception.InnerException),
        };
    }

    // AWSSDK.Core wraps the cause of a failed profile role in a message of its own ("Error calling AssumeRole for role
    // ARN"): the cause (a source_profile that does not exist, an STS endpoint that cannot be reached, STS's refusal) is
    // only in the inner exception, where the AWS CLI prints it (botocore: 'The source_profile "NAME" referenced in the
    // profile "P" does not exist.'). Each inner message is appended unless the line already says it (an
    // HttpRequestException's "Connection refused (host:port)" over its SocketException's "Connection refused").
    private static string WithCauses(string line, Exception? inner)
    {
        for (var depth = 0; inner is not null && depth < 5; inner = inner.InnerException, depth++)
        {
            var cause = FirstLine(inner.Message);
            if (cause.Length > 0 && !line.Contains(cause, StringComparison.Ordinal))
            {
                line = $"{line}: {cause}";
            }
        }

        return line;
    }

    // AWSSDK.Core words a credential process's unsupported "Version" with a format string given no argument ("Unsupported
    // credential version: {0}"), so what reaches the user is the FormatException of that call, as the inner exception of
    // "AWS credential process terminated with System.FormatException": "Index (zero based) must be ...", which names
    // neither the process nor the version. botocore says "Unsupported version '2' for credential process provider,
    // supported versions: 1". A malformed "Expiration" is a FormatException too, with a message of its own, so only
    // this one is matched.
    private static bool IsUnsupportedProcessVersion(Exception exception) =>
        exception.InnerException is FormatException { Message: var message } && message.StartsWith("Index (zero based)", StringComparison.Ordinal);

    private static string FirstLine(string message) =>
        message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? string.Empty;

    /// <summary>
    /// <see cref="ErrorLine"/> on one line, redacted as <see cref="Failure(DestinationResult)"/>: for a report that goes
    /// on past the error (verify's unreadable destination), whose text is not printed through the console's error line.
    /// </summary>
    public static string Failure(Exception exception) => Redactor.Redact(ErrorText.OneLine(ErrorLine(exception)));

    /// <summary><c>sha256:</c> and the first 12 hex digits, as docker shows image ids; the full digest is in --json.</summary>
    public static string ShortDigest(string? digest)
    {
        if (string.IsNullOrEmpty(digest))
        {
            return "-";
        }

        var colon = digest.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0 && digest.Length > colon + 13 ? digest[..(colon + 13)] : digest;
    }

    public static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {units[unit]}");
    }

    public static string Duration(TimeSpan duration) =>
        duration.TotalSeconds < 1
            ? string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds:0} ms")
            : string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.0} s");
}
