using System.Collections.Frozen;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Replicator.Core.Ecr;
using Replicator.Core.Errors;
using Replicator.Core.Replication;
using Replicator.Core.Signing;

namespace Replicator.Core.Destinations;

/// <summary>
/// Turns an AWSSDK failure of STS or SSM into a <see cref="ReplicationException"/> that says what could not be
/// done, never the values involved. Transient: what the ECR client's rule calls transient (botocore's throttling and
/// transient codes, 500, 502, 503, 504, 429, 509), STS's and SSM's own retryable codes, timeouts and transport failures; everything
/// else needs an operator (a role that does not trust us, a parameter that does not exist, a key that was deleted). AWS error messages name
/// principals and resources (useful), never secrets; they are quoted cut, on one line, and redacted by the shells.
/// </summary>
internal static class ServiceFailures
{
    // What STS and SSM add to the rule every AWS JSON service shares (EcrErrorClassifier: botocore/retries/standard.py's
    // throttling and transient codes and the "general" policies of botocore/data/_retry.json).
    private static readonly FrozenSet<string> StsAndSsmTransientCodes = FrozenSet.Create(
        StringComparer.Ordinal,

        // _retry.json's STS policy "idp_unreachable_error"; the STS API reference (AssumeRoleWithWebIdentity, Errors):
        // "often a transient error caused by network conditions. Retry the request a limited number of times".
        "IDPCommunicationError",

        // SSM's modelled server-side fault (botocore's SSM model: GetParameter's InternalServerError, "An error
        // occurred on the server side"), which the model gives no 5xx status, and the spelling other services use.
        "InternalServerError",
        "InternalServerErrorException",

        // The caller's own session expired: fresh caller credentials fix it on the next try.
        ExpiredTokenCodes.Query,
        ExpiredTokenCodes.Json);

    /// <param name="endpoint">Which endpoint was called, for a failure to reach it: "the STS endpoint of us-east-1",
    /// or its host and port when overridden. Never a URL's query (there is none: the SDK sends a POST).</param>
    /// <param name="fipsHost">The FIPS endpoint's host, when AWS_USE_FIPS_ENDPOINT chose it: a DNS answer that it does
    /// not exist is permanent, as for ECR (<see cref="EcrErrorCodes.FipsHostNotFound"/>): retried, every message for the
    /// destination would wait out its receives on a host no retry can create.</param>
    /// <param name="unknownRegionHost">The host built from a region this build does not know (<see cref="Partitions.AwsRegions"/>),
    /// and that region: a DNS answer that it does not exist is permanent, as for ECR
    /// (<see cref="EcrErrorCodes.UnknownRegionHostNotFound"/>): the region is most likely mistyped.</param>
    public static ReplicationException Wrap(Exception exception, string what, string endpoint, CancellationToken cancellationToken, string? fipsHost = null, (string Host, string Region)? unknownRegionHost = null)
    {
        if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException($"cancelled while trying to {what}", exception, cancellationToken);
        }

        if (fipsHost is not null && IsNoSuchHost(exception))
        {
            return new ReplicationException(
                ReplicationErrorCodes.DestinationCredentialsUnavailable,
                $"could not {what}: the FIPS endpoint's host name {fipsHost} does not exist (DNS: no such host): there is no FIPS endpoint of that service in the region; turn AWS_USE_FIPS_ENDPOINT off, or drop that destination",
                isTransient: false,
                exception);
        }

        if (unknownRegionHost is var (host, region) && IsNoSuchHost(exception))
        {
            return new ReplicationException(
                ReplicationErrorCodes.DestinationCredentialsUnavailable,
                $"could not {what}: the host name {host} does not exist (DNS: no such host), and {region} is not a region this build knows: the region may be mistyped",
                isTransient: false,
                exception);
        }

        var (detail, transient) = exception switch
        {
            AmazonServiceException e => (
                $"{e.ErrorCode ?? e.StatusCode.ToString()}{(string.IsNullOrEmpty(e.Message) ? string.Empty : ": " + ErrorText.Quote(e.Message))}",
                IsTransient(e.ErrorCode, e.StatusCode)),
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

    /// <summary>The shared AWS rule (<see cref="EcrErrorClassifier"/>), or one of STS's and SSM's own retryable codes.</summary>
    private static bool IsTransient(string? errorCode, HttpStatusCode statusCode) =>
        EcrErrorClassifier.IsTransient(errorCode ?? EcrErrorClassifier.CodeForStatus(statusCode), statusCode)
        || (errorCode is not null && StsAndSsmTransientCodes.Contains(errorCode));

    /// <summary>
    /// STS refused because it is not active in the called region for the account asked for credentials (STS model:
    /// <c>RegionDisabledException</c>, "STS is not activated in the requested region for the account that is being
    /// asked to generate credentials").
    /// </summary>
    public static bool IsRegionDisabled(ReplicationException exception) =>
        exception.InnerException is AmazonServiceException { ErrorCode: "RegionDisabledException" };

    /// <summary>How an endpoint is named in a message: its host and port when overridden, else the service in the region.</summary>
    public static string DescribeEndpoint(string service, Uri? overridden, string region) =>
        overridden is null ? $"the {service} endpoint of {region}" : $"the {service} endpoint {overridden.Authority}";

    /// <summary>A DNS answer that the host does not exist, anywhere in the chain (the SDK may wrap the HttpRequestException).</summary>
    private static bool IsNoSuchHost(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException request && EcrClient.IsNoSuchHost(request))
            {
                return true;
            }
        }

        return false;
    }

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
