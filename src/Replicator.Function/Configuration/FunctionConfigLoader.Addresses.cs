using Replicator.Core.Configuration;
using Replicator.Core.Ecr;
using Replicator.Core.EventBridge;

namespace Replicator.Function.Configuration;

/// <summary>The addresses among the settings: service endpoints, SQS queue URLs and SSM parameter names.</summary>
internal static partial class FunctionConfigLoader
{
    // Resolved at init, so a bad override or FIPS flag is an init error naming the variable, not a warning per image.
    private static Uri ResolveEventEndpoint(string region, IEnvironmentVariables environment) =>
        ResolveEndpoint(() => EventBridgeEndpoints.Resolve(region, environment));

    // The ECR endpoint every copy resolves, with the same settings: resolved once at init so that a FIPS or dual-stack
    // flag that is neither true nor false, or a malformed AWS_ENDPOINT_URL_ECR, stops the function naming it, instead of
    // failing every record (retried, and dead-lettered only on its last receive). The flags are read even when an
    // override makes them moot, since every ECR client reads them.
    private static void CheckEcrEndpoint(string region, IEnvironmentVariables environment) =>
        ResolveEndpoint(() => EcrEndpoints.Resolve(region, environment, EcrEndpoints.UseFips(environment), EcrEndpoints.UseDualStack(environment)));

    private static Uri ResolveEndpoint(Func<Uri> resolve)
    {
        try
        {
            return resolve();
        }
        catch (ArgumentException ex) when (ex is not ArgumentNullException)
        {
            // "AWS_USE_FIPS_ENDPOINT must be true or false", or the same of the shared config file's key.
            var split = ex.Message.IndexOf(" must ", StringComparison.Ordinal);
            throw split > 0 ? new ConfigurationException(ex.Message[..split], ex.Message[(split + 1)..]) : new ConfigurationException(ex.Message);
        }
    }

    private static Uri? ParseEndpoint(string? value, string variable)
    {
        if (value is null)
        {
            return null;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new ConfigurationException(variable, "must be an absolute http or https URL");
        }

        return uri;
    }

    /// <summary>The replication FIFO queue: the reconciler's messages carry a group and a deduplication id, which only a FIFO queue takes.</summary>
    private static Uri? ParseReconcileQueueUrl(string? value, bool allowHttp)
    {
        var uri = ParseQueueUrl(value, allowHttp, ReconcileQueueUrl, "replication.fifo");
        return uri is null || uri.AbsolutePath.EndsWith(".fifo", StringComparison.Ordinal)
            ? uri
            : throw new ConfigurationException(ReconcileQueueUrl, "must be the URL of a FIFO queue (its name ends in .fifo): the replication queue");
    }

    /// <summary>An SSM parameter name: letters, digits, _ . - and /, at most 1011 characters (SSM PutParameter reference).</summary>
    private static string? ParseParameterName(string? value, string variable)
    {
        if (value is null)
        {
            return null;
        }

        return value.Length <= 1011 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' or '/')
            ? value
            : throw new ConfigurationException(variable, "must be an SSM parameter name (letters, digits, _ . - and /)");
    }

    private static Uri? ParseQueueUrl(string? value, bool allowHttp, string variable = DeadLetterQueueUrl, string example = "dlq.fifo")
    {
        if (value is null)
        {
            return null;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new ConfigurationException(variable, $"must be an absolute queue URL such as https://sqs.us-east-1.amazonaws.com/123456789012/{example}");
        }

        if (uri.Scheme == Uri.UriSchemeHttps || (allowHttp && uri.Scheme == Uri.UriSchemeHttp))
        {
            return uri;
        }

        throw new ConfigurationException(
            variable,
            allowHttp ? "must be an http or https URL" : "must be an https URL (http only with AWS_ENDPOINT_URL_SQS or AWS_ENDPOINT_URL set)");
    }
}
