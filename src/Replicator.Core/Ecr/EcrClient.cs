using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Replicator.Core.Ecr.Http;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Ecr.Paginators;
using Replicator.Core.Partitions;
using Replicator.Core.Signing;
using Replicator.Core.Validation;

namespace Replicator.Core.Ecr;

/// <summary>
/// ECR over AWS JSON 1.1: <c>POST /</c> with <c>X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.{Operation}</c>,
/// signed with SigV4 for service <c>ecr</c>. One instance per region; the HttpClient is shared and owned by the caller.
/// </summary>
public sealed partial class EcrClient : IEcrClient
{
    public const string SigningService = "ecr";
    public const string ContentType = AwsJsonRequestSigner.ContentType;
    public const string TargetPrefix = "AmazonEC2ContainerRegistry_V20150921.";

    private readonly HttpClient _httpClient;
    private readonly IAwsCredentialsSource _credentials;
    private readonly AwsJsonRequestSigner _signer;
    private readonly TimeProvider _timeProvider;
    private readonly Uri _endpoint;

    // The proxy this client's requests go through, or null: what the handler does with HTTPS_PROXY and NO_PROXY.
    private readonly Uri? _proxy;

    public EcrClient(HttpClient httpClient, IAwsCredentialsSource credentials, EcrClientConfig config, TimeProvider? timeProvider = null)
    {
        _httpClient = httpClient ?? throw new ArgumentNullException(nameof(httpClient));
        _credentials = credentials ?? throw new ArgumentNullException(nameof(credentials));
        Config = config ?? throw new ArgumentNullException(nameof(config));
        _timeProvider = timeProvider ?? TimeProvider.System;
        _endpoint = config.Endpoint;
        _proxy = ProxyFor(config.Proxy, _endpoint);
        _signer = new AwsJsonRequestSigner(new SigV4Signer(_timeProvider), _endpoint, config.Region, SigningService, TargetPrefix, EcrUserAgent.Value);
        Paginators = new EcrPaginators(this);
    }

    public EcrClientConfig Config { get; }

    public IEcrPaginators Paginators { get; }

    private Task<TResponse> InvokeAsync<TRequest, TResponse>(
        string operation, TRequest request, JsonTypeInfo<TRequest> requestInfo, JsonTypeInfo<TResponse> responseInfo, CancellationToken cancellationToken)
        where TResponse : EcrResponse, new()
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendAsync(operation, EcrRequestBody.Serialize(request, requestInfo), responseInfo, cancellationToken);
    }

    /// <summary>Sends a serialized body (and takes ownership of its pooled buffer); maps every failure to <see cref="EcrException"/>.</summary>
    private Task<TResponse> SendAsync<TResponse>(
        string operation, PooledBufferWriter body, JsonTypeInfo<TResponse> responseInfo, CancellationToken cancellationToken)
        where TResponse : EcrResponse, new()
    {
        // Hashed once, before the content owns the buffer: a resend after ExpiredTokenException signs the same bytes.
        var payloadHash = SigV4Signer.Sha256Hex(body.WrittenSpan);
        return SendAsync(operation, new PooledRequestContent(body, ContentType), payloadHash, responseInfo, cancellationToken);
    }

    /// <summary>
    /// Sends an UploadLayerPart whose part is already encoded and hashed (<see cref="IEncodedLayerPart"/>): only
    /// this destination's members are written and hashed here, so the body's SigV4 payload hash costs a hash
    /// clone and a few hundred bytes instead of a pass over ~13.3 MiB.
    /// </summary>
    private Task<TResponse> SendEncodedPartAsync<TResponse>(
        string operation, UploadLayerPartRequest request, IEncodedLayerPart part, JsonTypeInfo<TResponse> responseInfo, CancellationToken cancellationToken)
        where TResponse : EcrResponse, new()
    {
        var tail = EcrRequestBody.SerializeUploadLayerPartTail(request);
        string payloadHash;
        try
        {
            using var hash = part.CloneHeadHash();
            hash.AppendData(tail.WrittenSpan);
            payloadHash = Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        catch
        {
            tail.Dispose();
            throw;
        }

        return SendAsync(operation, new EncodedPartContent(part, tail, ContentType), payloadHash, responseInfo, cancellationToken);
    }

    /// <summary>Sends a body (and takes ownership of it) whose SHA-256 is <paramref name="payloadHash"/>; maps every failure to <see cref="EcrException"/>.</summary>
    private async Task<TResponse> SendAsync<TResponse>(
        string operation, RetainedContent body, string payloadHash, JsonTypeInfo<TResponse> responseInfo, CancellationToken cancellationToken)
        where TResponse : EcrResponse, new()
    {
        using var content = body;

        // One timer per call, on the engine's clock: it runs from the start, the body re-arms it as its blocks go
        // out (a 13.3 MiB UploadLayerPart on a slow uplink is limited on inactivity, not on its total), and it runs
        // once more from the end of the body to the end of the answer (RetainedContent.Deadline).
        using var deadline = new StallTimer(Config.Timeout, _timeProvider, cancellationToken);
        content.Deadline = deadline;
        var token = deadline.Token;
        try
        {
            try
            {
                return await SendRefreshingAsync(operation, content, payloadHash, responseInfo, token);
            }
            catch (EcrException ex) when (ex.ClockCorrected)
            {
                // The refusal was a clock skew (ClockSkew: a skew code and a Date more than 5 minutes from the time we
                // signed with), and the signing clock now carries the endpoint's offset: sign again and send once, as
                // the AWS SDKs do. Not a retry of the budget (the request never reached the operation), and not a
                // loop: a second refusal, corrected or not, is the caller's.
                return await SendRefreshingAsync(operation, content, payloadHash, responseInfo, token);
            }
        }
        catch (Exception ex) when (ex is not EcrException && cancellationToken.IsCancellationRequested)
        {
            // The caller asked to stop: that is not an ECR failure and must not look like a retryable one.
            // Rethrown with the caller's own token (HttpClient reports the linked one) so callers can tell it apart.
            if (ex is OperationCanceledException canceled && canceled.CancellationToken == cancellationToken)
            {
                throw;
            }

            throw new OperationCanceledException("the ECR call was cancelled", ex, cancellationToken);
        }
        catch (OperationCanceledException ex)
        {
            // Our per-request timeout, or the HttpClient's own Timeout (a TaskCanceledException over a TimeoutException).
            throw new EcrException(EcrErrorCodes.RequestTimeout, "the request timed out", operation: operation, innerException: ex);
        }
        catch (HttpRequestException ex) when (_proxy is null && IsFipsHostNotFound(ex, Config.Region, _endpoint))
        {
            throw new EcrException(
                EcrErrorCodes.FipsHostNotFound,
                $"the ECR FIPS endpoint's host name {_endpoint.Host} does not exist (DNS: no such host): ECR has no FIPS endpoint in {Config.Region} "
                    + "(docs.aws.amazon.com/general/latest/gr/ecr.html); turn AWS_USE_FIPS_ENDPOINT off, or drop that destination",
                operation: operation,
                innerException: ex);
        }
        catch (HttpRequestException ex) when (_proxy is null && IsUnknownRegionHostNotFound(ex, Config.Region, _endpoint))
        {
            throw new EcrException(
                EcrErrorCodes.UnknownRegionHostNotFound,
                $"the ECR endpoint's host name {_endpoint.Host} does not exist (DNS: no such host), and {Config.Region} is not a region this build knows: the region may be mistyped",
                operation: operation,
                innerException: ex);
        }
        catch (HttpRequestException ex)
        {
            throw new EcrException(EcrErrorCodes.ConnectionFailure, DescribeTransportFailure(ex), operation: operation, innerException: ex);
        }
        catch (IOException ex)
        {
            throw new EcrException(EcrErrorCodes.ConnectionFailure, "the connection failed while reading the response", operation: operation, innerException: ex);
        }
        catch (JsonException ex)
        {
            throw new EcrException(EcrErrorCodes.InvalidResponse, "the response body is not the JSON this operation returns", operation: operation, innerException: ex);
        }
    }

    /// <summary>One signed send, and once more with fresh credentials when the answer says they expired.</summary>
    private async Task<TResponse> SendRefreshingAsync<TResponse>(
        string operation, HttpContent content, string payloadHash, JsonTypeInfo<TResponse> responseInfo, CancellationToken token)
        where TResponse : EcrResponse, new()
    {
        AwsCredentials? used = null;
        try
        {
            used = await _credentials.GetCredentialsAsync(token);
            return await SendOnceAsync(operation, content, payloadHash, responseInfo, used, token);
        }
        catch (EcrException ex) when (used is not null && RefreshesOn(ex.ErrorCode))
        {
            // The session token expired between the source's own expiry check and ECR's (clock skew, or a role
            // session cut short). The AWS SDKs treat this code as "refresh and retry" (botocore's
            // credentials refresh on expiry; aws-sdk-java-v2's AwsErrorCode.isExpiredTokenErrorCode): drop the
            // cached credentials once and send again. A second ExpiredTokenException is the caller's. Only the set
            // this request used is dropped: parallel requests refused together renew the session once.
            // A source that reads rotated keys (IAwsCredentialsSource.RereadsRefusedKeys) gets the same once for a
            // key ECR no longer knows: the old key deleted before the cached read expired.
            _credentials.Invalidate(used);
            return await SendOnceAsync(operation, content, payloadHash, responseInfo, await _credentials.GetCredentialsAsync(token), token);
        }
    }

    private bool RefreshesOn(string errorCode) =>
        errorCode == EcrErrorCodes.ExpiredTokenException
        || (_credentials.RereadsRefusedKeys && EcrErrorCodes.IsRefusedKey(errorCode));

    private async Task<TResponse> SendOnceAsync<TResponse>(
        string operation, HttpContent content, string payloadHash, JsonTypeInfo<TResponse> responseInfo, AwsCredentials credentials, CancellationToken token)
        where TResponse : EcrResponse, new()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = content };
        try
        {
            var signedAt = _signer.Sign(request, operation, payloadHash, credentials);
            using var response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
            var requestId = EcrResponseReader.RequestId(response);
            if (!response.IsSuccessStatusCode)
            {
                var error = await EcrResponseReader.ReadErrorAsync(operation, response, requestId, token);
                error.ClockCorrected = _signer.Clock.TryCorrect(error.ErrorCode, error.ErrorMessage, response.Headers.Date, signedAt);
                throw error;
            }

            var result = await EcrResponseReader.ReadAsync(response, responseInfo, token);
            result.HttpStatusCode = response.StatusCode;
            result.ResponseMetadata = new ResponseMetadata { RequestId = requestId };
            return result;
        }
        finally
        {
            // The body outlives this message: a resend (after ExpiredTokenException or a clock correction) sends it again, and the
            // caller disposes it (disposing the message would return its pooled buffer).
            request.Content = null;
        }
    }

    /// <summary>
    /// The resolver answered that the endpoint's host does not exist (NXDOMAIN: <see cref="SocketError.HostNotFound"/>;
    /// <see cref="SocketError.TryAgain"/> is a resolver that could not answer, and stays transient), the host was built
    /// from the region (an endpoint override names its own host), and the region is not one this build knows
    /// (<see cref="AwsRegions"/>). Such a region is most likely mistyped (us-wset-2): retrying would hold the
    /// repository's FIFO message group for as long as the queue keeps the message. A region launched after this build
    /// works as soon as its endpoint resolves; a known region's DNS failure is an outage, transient like any other.
    /// </summary>
    internal static bool IsUnknownRegionHostNotFound(HttpRequestException exception, string region, Uri endpoint) =>
        !AwsRegions.IsKnown(region) && endpoint.Host.Split('.').Contains(region, StringComparer.OrdinalIgnoreCase) && IsNoSuchHost(exception);

    /// <summary>
    /// The resolver answered NXDOMAIN for the FIPS host built from the region (an override names its own host): ECR
    /// has FIPS endpoints in a few regions only (the US ones of aws and aws-us-gov in the AWS General Reference,
    /// docs.aws.amazon.com/general/latest/gr/ecr.html), while the endpoint rules build a FIPS host for every region, so
    /// AWS_USE_FIPS_ENDPOINT with any other destination names a host that does not exist. Retried, every copy there
    /// would hold its repository's message group for the day or two the queue keeps the message, then dead-letter.
    /// </summary>
    internal static bool IsFipsHostNotFound(HttpRequestException exception, string region, Uri endpoint) =>
        EcrNames.ValidateRegion(region) is null
        && (endpoint == EcrEndpoints.ForRegion(region, useFips: true, useDualStack: false) || endpoint == EcrEndpoints.ForRegion(region, useFips: true, useDualStack: true))
        && IsNoSuchHost(exception);

    // NXDOMAIN (SocketError.HostNotFound); TryAgain is a resolver that could not answer, and stays transient.
    internal static bool IsNoSuchHost(HttpRequestException exception)
    {
        if (exception.HttpRequestError != HttpRequestError.NameResolutionError)
        {
            return false;
        }

        for (Exception? inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return socket.SocketErrorCode == SocketError.HostNotFound;
            }
        }

        return false;
    }

    /// <summary>
    /// The proxy <paramref name="proxy"/> sends requests to <paramref name="endpoint"/> through, or null when it sends
    /// them directly (no proxy, or NO_PROXY names the host). Behind a proxy the client resolves and connects to the proxy
    /// only (an https request is a CONNECT tunnel the proxy opens), so a DNS answer or a refused connection is the
    /// proxy's, never the endpoint's: a "no such host" for the proxy's name is no evidence that a FIPS or mistyped-region
    /// host does not exist (https://learn.microsoft.com/dotnet/api/system.net.http.httpclient.defaultproxy). Only the
    /// authority is kept: the proxy URL from HTTPS_PROXY may carry a user and password.
    /// </summary>
    internal static Uri? ProxyFor(IWebProxy? proxy, Uri endpoint)
    {
        try
        {
            return proxy is null || proxy.IsBypassed(endpoint) ? null : proxy.GetProxy(endpoint) is { } through && through != endpoint ? through : null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A custom IWebProxy that throws fails the request itself, with its own error; here it only names nothing.
            return null;
        }
    }

    // The endpoint's authority (host and port) is not secret and is what an operator needs to find a wrong region,
    // a typo in AWS_ENDPOINT_URL_ECR or a blocked network path; the rest of the URL is never added. Behind a proxy, a
    // failure to resolve or reach it, or its refusal of the tunnel, is named as the proxy's, by its authority and
    // status only: .NET's own message quotes the proxy URL, user information included.
    private string DescribeTransportFailure(HttpRequestException ex)
    {
        if (_proxy is { } proxy)
        {
            var proxied = ex.HttpRequestError switch
            {
                HttpRequestError.ConnectionError => $"could not connect to the egress proxy {proxy.Authority}",
                HttpRequestError.NameResolutionError => $"could not resolve the egress proxy's host name {proxy.Host}, egress proxy {proxy.Authority}",
                HttpRequestError.ProxyTunnelError => ex.StatusCode is { } status
                    ? $"the egress proxy {proxy.Authority} refused the tunnel with HTTP {(int)status}"
                    : $"the egress proxy {proxy.Authority} could not open the tunnel",
                HttpRequestError.SecureConnectionError => $"the TLS handshake through the egress proxy {proxy.Authority} failed (a proxy that inspects TLS needs its root certificate in AWS_CA_BUNDLE)",
                _ => null,
            };
            if (proxied is not null)
            {
                var setting = _endpoint.Scheme == Uri.UriSchemeHttps ? "HTTPS_PROXY" : "HTTP_PROXY";
                return $"{proxied} ({setting}) on the way to the ECR endpoint {_endpoint.Authority}";
            }
        }

        var what = ex.HttpRequestError switch
        {
            HttpRequestError.ConnectionError => "could not connect to the ECR endpoint",
            HttpRequestError.NameResolutionError => "could not resolve the ECR endpoint's host name",
            HttpRequestError.SecureConnectionError => "the TLS handshake with the ECR endpoint failed",
            HttpRequestError.ResponseEnded => "the ECR endpoint closed the connection before the response ended",
            _ => "the HTTP request to the ECR endpoint failed",
        };
        return $"{what} {_endpoint.Authority}";
    }
}
