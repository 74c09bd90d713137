using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Http;
using Replicator.Core.EventBridge.Model;
using Replicator.Core.EventBridge.Serialization;
using Replicator.Core.Signing;

namespace Replicator.Core.EventBridge;

/// <summary>
/// EventBridge's <c>PutEvents</c> over AWS JSON 1.1 (botocore's EventBridge model: <c>targetPrefix</c> <c>AWSEvents</c>,
/// signing name <c>events</c>), signed by the same <see cref="AwsJsonRequestSigner"/> as the ECR client. One
/// instance per bus region; the HttpClient is shared and owned by the caller. No retries here: the caller
/// decides (it also has the failed entries to retry).
/// </summary>
public sealed class EventBridgeClient : IEventBridgeClient
{
    public const string SigningService = "events";
    public const string TargetPrefix = "AWSEvents";
    public const string PutEventsOperation = "PutEvents";

    /// <summary>PutEvents takes 1 to 10 entries (model: <c>PutEventsRequestEntryList</c>, min 1, max 10).</summary>
    public const int MaxEntriesPerCall = 10;

    /// <summary>A PutEvents answer is about 100 bytes per entry; anything this large is not one.</summary>
    public const int MaxResponseBytes = 1024 * 1024;

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    // As for ECR bodies: the request goes to an API, never into HTML, so the relaxed encoder (what AWS SDKs emit) is safe.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly HttpClient _httpClient;
    private readonly IAwsCredentialsSource _credentials;
    private readonly AwsJsonRequestSigner _signer;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _timeout;

    public EventBridgeClient(HttpClient httpClient, IAwsCredentialsSource credentials, string region, Uri endpoint, TimeProvider? timeProvider = null, TimeSpan? timeout = null)
    {
        _httpClient = httpClient ?? throw new ArgumentNullException(nameof(httpClient));
        _credentials = credentials ?? throw new ArgumentNullException(nameof(credentials));
        Endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
        _timeProvider = timeProvider ?? TimeProvider.System;
        _timeout = timeout ?? DefaultTimeout;
        _signer = new AwsJsonRequestSigner(new SigV4Signer(_timeProvider), endpoint, region, SigningService, TargetPrefix, EcrUserAgent.Value);
    }

    public Uri Endpoint { get; }

    public string Region => _signer.Region;

    public async Task<PutEventsResponse> PutEventsAsync(PutEventsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Entries.Count is 0 or > MaxEntriesPerCall)
        {
            throw new ArgumentException($"PutEvents takes 1 to {MaxEntriesPerCall} entries, not {request.Entries.Count}", nameof(request));
        }

        var body = Serialize(request);
        using var timeout = new CancellationTokenSource(_timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var token = linked.Token;
        try
        {
            try
            {
                return await SendRefreshingAsync(body, token);
            }
            catch (EventBridgeException ex) when (ex.ClockCorrected)
            {
                // As in EcrClient: the refusal showed our clock skewed from the endpoint's, now corrected; sign again
                // and send once. A second refusal is the caller's.
                return await SendRefreshingAsync(body, token);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException ex)
        {
            throw new EventBridgeException(EcrErrorCodes.RequestTimeout, "the PutEvents call timed out", isTransient: true, innerException: ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw new EventBridgeException(EcrErrorCodes.ConnectionFailure, $"the EventBridge endpoint {Endpoint.Authority} could not be reached", isTransient: true, innerException: ex);
        }
        catch (JsonException ex)
        {
            throw new EventBridgeException(EcrErrorCodes.InvalidResponse, "the response body is not PutEvents' JSON", isTransient: false, innerException: ex);
        }
    }

    private async Task<PutEventsResponse> SendRefreshingAsync(byte[] body, CancellationToken token)
    {
        AwsCredentials? used = null;
        try
        {
            used = await _credentials.GetCredentialsAsync(token);
            return await SendOnceAsync(body, used, token);
        }
        catch (EventBridgeException ex) when (ex.ErrorCode == EcrErrorCodes.ExpiredTokenException && used is not null)
        {
            // As in EcrClient: the session expired between the source's check and the service's; refresh once.
            _credentials.Invalidate(used);
            return await SendOnceAsync(body, await _credentials.GetCredentialsAsync(token), token);
        }
    }

    private static byte[] Serialize(PutEventsRequest request)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            JsonSerializer.Serialize(writer, request, EventBridgeJsonContext.Default.PutEventsRequest);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private async Task<PutEventsResponse> SendOnceAsync(byte[] body, AwsCredentials credentials, CancellationToken token)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(AwsJsonRequestSigner.ContentType);
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = content };
        var signedAt = _signer.Sign(request, PutEventsOperation, body, credentials);
        using var response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
        if (!response.IsSuccessStatusCode)
        {
            var error = await AwsJsonResponseReader.ReadErrorAsync(response, token);
            throw new EventBridgeException(error.ErrorCode, error.Message, EcrErrorClassifier.IsTransient(error.ErrorCode, response.StatusCode), response.StatusCode)
            {
                ClockCorrected = _signer.Clock.TryCorrect(error.ErrorCode, error.Message, response.Headers.Date, signedAt),
            };
        }

        return await AwsJsonResponseReader.ReadAsync(response, EventBridgeJsonContext.Default.PutEventsResponse, MaxResponseBytes, TooLarge, token);
    }

    private static EventBridgeException TooLarge(long length) =>
        new(EcrErrorCodes.InvalidResponse, $"the response body is larger than {MaxResponseBytes} bytes ({length} or more); refused", isTransient: false);
}
