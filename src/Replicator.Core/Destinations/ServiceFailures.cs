using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Replicator.Core.Errors;
using Replicator.Core.Replication;

namespace Replicator.Core.Destinations;

/// <summary>
/// Turns an AWSSDK failure of STS or SSM into a <see cref="ReplicationException"/> that says what could not be
/// done, never the values involved. Transient: throttling, 5xx, timeouts and transport failures (botocore's
/// retry rules: _retry.json "general" throttling and transient codes); everything else needs an operator
/// (a role that does not trust us, a parameter that does not exist, a key that was deleted). AWS error messages name
/// principals and resources (useful), never secrets; they are quoted cut, on one line, and redacted by the shells.
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
                $"{e.ErrorCode ?? e.StatusCode.ToString()}{(string.IsNullOrEmpty(e.Message) ? string.Empty : ": " + ErrorText.Quote(e.Message))}",
                (int)e.StatusCode >= 500 || e.StatusCode == HttpStatusCode.TooManyRequests || (e.ErrorCode is { } code && TransientCodes.Contains(code))),
            OperationCanceledException or TimeoutException => ("the request timed out", true),
            _ when IsTransportFailure(exception) => ($"{endpoint} could not be reached", true),

            // The SDK's other client errors happen before anything is sent, "Failed to resolve AWS credentials" from the
            // credentials chain the commonest: the endpoint was never tried, so say what the SDK said. Transient as
            // before: in Lambda the chain reads the container's credentials endpoint, which can fail for a moment.
            AmazonClientException e => ($"{e.GetType().Name}: {ErrorText.Quote(e.Message)}", true),
            _ => (exception.GetType().Name, true),
        };
        return new ReplicationException(ReplicationErrorCodes.DestinationCredentialsUnavailable, $"could not {what}: {detail}", transient, exception);
    }

    /// <summary>How an endpoint is named in a message: its host and port when overridden, else the service in the region.</summary>
    public static string DescribeEndpoint(string service, Uri? overridden, string region) =>
        overridden is null ? $"the {service} endpoint of {region}" : $"the {service} endpoint {overridden.Authority}";

    /// <summary>
    /// A failure to reach the endpoint: the connection or the transfer failed (HttpClient's HttpRequestException, a
    /// socket or I/O error, a cancelled send), whether thrown as such or inside the SDK's AmazonClientException.
    /// </summary>
    private static bool IsTransportFailure(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException or SocketException or IOException or TaskCanceledException)
            {
                return true;
            }
        }

        return false;
    }
}
