using System.Net;
using Amazon.Runtime;
using Replicator.Core.Errors;
using Replicator.Core.Replication;

namespace Replicator.Core.Destinations;

/// <summary>
/// Turns an AWSSDK failure of STS or SSM into a <see cref="ReplicationException"/> that says what could not be
/// done, never the values involved. Transient: throttling, 5xx, timeouts and transport failures (botocore's
/// retry rules: _retry.json "general" throttling and transient codes); everything else needs an operator
/// (a role that does not trust us, a parameter that does not exist, a key that was deleted).
/// </summary>
internal static class ServiceFailures
{
    private static readonly HashSet<string> TransientCodes = new(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
        "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException", "RequestTimeout", "RequestTimeoutException", "IDPCommunicationError",
        "InternalError", "InternalFailure", "ServiceUnavailable", "InternalServerError", "InternalServerErrorException",

        // The caller's own session expired: fresh caller credentials fix it on the next try.
        "ExpiredToken", "ExpiredTokenException",
    };

    /// <param name="endpoint">Which endpoint was called, for a failure to reach it: "the STS endpoint of us-east-1",
    /// or its host and port when overridden. Never a URL's query (there is none: the SDK sends a POST).</param>
    public static ReplicationException Wrap(Exception exception, string what, string endpoint, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException($"cancelled while trying to {what}", exception, cancellationToken);
        }

        var (detail, transient) = exception switch
        {
            AmazonServiceException e => (
                $"{e.ErrorCode ?? e.StatusCode.ToString()}{(string.IsNullOrEmpty(e.Message) ? string.Empty : ": " + Cut(e.Message))}",
                (int)e.StatusCode >= 500 || e.StatusCode == HttpStatusCode.TooManyRequests || (e.ErrorCode is { } code && TransientCodes.Contains(code))),
            OperationCanceledException or TimeoutException => ("the request timed out", true),
            HttpRequestException or IOException or AmazonClientException => ($"{endpoint} could not be reached", true),
            _ => (exception.GetType().Name, true),
        };
        return new ReplicationException(ReplicationErrorCodes.DestinationCredentialsUnavailable, $"could not {what}: {detail}", transient, exception);
    }

    /// <summary>How an endpoint is named in a message: its host and port when overridden, else the service in the region.</summary>
    public static string DescribeEndpoint(string service, Uri? overridden, string region) =>
        overridden is null ? $"the {service} endpoint of {region}" : $"the {service} endpoint {overridden.Authority}";

    // AWS error messages name principals and resources (useful), never secrets; cap them anyway.
    private static string Cut(string message) => message.Length <= 300 ? message : message[..300] + "...";
}
