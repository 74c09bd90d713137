using Replicator.Core.Configuration;
using Replicator.Core.Ecr;
using Replicator.Core.EventBridge;
using Replicator.Core.Validation;
using Replicator.Function.Enqueue;

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
    private static Uri? ParseReconcileQueueUrl(string? value, string region, bool allowHttp, bool samLocal)
    {
        var uri = ParseQueueUrl(value, region, allowHttp, samLocal, ReconcileQueueUrl, "replication.fifo");
        return uri is null || uri.AbsolutePath.EndsWith(".fifo", StringComparison.Ordinal)
            ? uri
            : throw new ConfigurationException(ReconcileQueueUrl, "must be the URL of a FIFO queue (its name ends in .fifo): the replication queue");
    }

    /// <summary>
    /// An SSM parameter name: letters, digits, _ . - and /, at most 1011 characters (SSM PutParameter reference). Under
    /// <c>sam local invoke</c>, with reconciling on (<paramref name="samLocal"/>), a name that is a bare logical id is
    /// refused: it is the template's Ref to the stack's parameter, which sam local turns into the logical id, and taken
    /// as a name the run read and wrote a stray parameter of that name in the caller's account.
    /// </summary>
    private static string? ParseParameterName(string? value, string variable, bool samLocal)
    {
        if (value is null)
        {
            return null;
        }

        if (samLocal && IsLogicalId(value))
        {
            throw new ConfigurationException(variable, LogicalIdProblem(value, "the name of a parameter of the stack, such as /ecr-replicator/STACK/reconcile-cursor"));
        }

        return value.Length <= 1011 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' or '/')
            ? value
            : throw new ConfigurationException(variable, "must be an SSM parameter name (letters, digits, _ . - and /)");
    }

    /// <summary>
    /// A queue URL the function's one SQS client, built for <paramref name="region"/> (AWS_REGION), can send to. SQS
    /// serves a queue only through its own region's endpoint: a queue of another region, taken at init, would refuse
    /// every dead-letter or reconcile send as a queue that does not exist, so it is refused here, naming both regions.
    /// Under <c>sam local invoke</c> (<paramref name="samLocal"/>) a bare word is the template's Ref turned into a
    /// logical id, and the error says so; elsewhere it is a queue name typed for its URL.
    /// </summary>
    private static Uri? ParseQueueUrl(string? value, string region, bool allowHttp, bool samLocal, string variable = DeadLetterQueueUrl, string example = "dlq.fifo")
    {
        if (value is null)
        {
            return null;
        }

        var expected = $"an absolute queue URL such as https://sqs.us-east-1.amazonaws.com/123456789012/{example}";
        if (samLocal && IsLogicalId(value))
        {
            throw new ConfigurationException(variable, LogicalIdProblem(value, expected));
        }

        // Only a value that is no URL at all is quoted back: a URL's query or user information could carry a secret.
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new ConfigurationException(variable, uri is null ? $"must be {expected}, not {EcrNames.Quote(value)}" : $"must be {expected}");
        }

        if (uri.Scheme != Uri.UriSchemeHttps && !(allowHttp && uri.Scheme == Uri.UriSchemeHttp))
        {
            throw new ConfigurationException(
                variable,
                allowHttp ? "must be an http or https URL" : "must be an https URL (http only with AWS_ENDPOINT_URL_SQS or AWS_ENDPOINT_URL set)");
        }

        return SqsQueueUrl.RegionOf(uri) is { } queueRegion && queueRegion != region
            ? throw new ConfigurationException(variable, $"names a queue in {queueRegion}, but the function sends through SQS in its own region, {region} (AWS_REGION), and SQS serves a queue only in its region: give a queue in {region}")
            : uri;
    }

    /// <summary>
    /// The form of a CloudFormation logical id: letters and digits only, at most 255
    /// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resources-section-structure.html). No queue URL
    /// has that form, nor the name of the stack's cursor parameter (a path).
    /// </summary>
    private static bool IsLogicalId(string value) => value.Length <= 255 && value.All(char.IsAsciiLetterOrDigit);

    /// <summary>
    /// Why a logical id stands where a stack resource's address belongs: <c>sam local invoke</c> resolves a Ref to a
    /// resource of the template to its logical id (https://github.com/aws/aws-sam-cli/issues/1604), and the template
    /// gives DEAD_LETTER_QUEUE_URL, RECONCILE_QUEUE_URL and RECONCILE_CURSOR_PARAMETER such Refs. All three are named, so
    /// that one --env-vars file fixes them at once rather than one init failure each.
    /// </summary>
    private static string LogicalIdProblem(string value, string expected) =>
        $"is {value}, which looks like a logical id of template.yaml rather than {expected}: sam local invoke puts a resource's logical id "
        + $"where the template has a Ref to it. Give {DeadLetterQueueUrl}, {ReconcileQueueUrl} and {ReconcileCursorParameter} values, or \"\" to leave them unset, "
        + "in the --env-vars file ({\"ReplicatorFunction\": {...}}; docs/deploy.md, \"Running it locally\")";
}
