using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Replicator.Function.Runtime;

/// <summary>HTTP client of the Lambda Runtime API at http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/.</summary>
public sealed class RuntimeApiClient : IRuntimeApiClient, IDisposable
{
    public const string RuntimeApiVariable = "AWS_LAMBDA_RUNTIME_API";
    public const string RequestIdHeader = "Lambda-Runtime-Aws-Request-Id";
    public const string DeadlineHeader = "Lambda-Runtime-Deadline-Ms";
    public const string FunctionArnHeader = "Lambda-Runtime-Invoked-Function-Arn";
    public const string TraceIdHeader = "Lambda-Runtime-Trace-Id";
    public const string ErrorTypeHeader = "Lambda-Runtime-Function-Error-Type";
    public const string ErrorContentType = "application/vnd.aws.lambda.error+json";

    /// <summary>
    /// A per-attempt id the Runtime API sends on GET next, to be echoed on that attempt's response and error posts: it
    /// then refuses a post whose id is not the current attempt's, so a late answer of a timed-out attempt is not taken
    /// for a new attempt's with the same request id. Optional both ways: absent on GET next, nothing is echoed, and a
    /// post without it is matched by request id as before (aws/aws-lambda-dotnet#2508, aws/aws-lambda-rust-runtime#1159,
    /// awslabs/aws-lambda-cpp#221: the AWS runtime clients echo it so).
    /// </summary>
    public const string InvocationIdHeader = "Lambda-Runtime-Invocation-Id";

    /// <summary>Lambda's synchronous invocation payload limit is 6 MB; a little slack for the JSON envelope.</summary>
    public const int MaxPayloadBytes = 7 * 1024 * 1024;

    private readonly HttpClient _http;

    // The attempt GET next last handed out (the loop serves one at a time): its posts, and only its, carry its id.
    private volatile CurrentInvocation? _current;

    /// <param name="runtimeApi">host:port, the value of AWS_LAMBDA_RUNTIME_API.</param>
    public RuntimeApiClient(string runtimeApi, HttpMessageHandler? handler = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runtimeApi);
        _http = new HttpClient(handler ?? CreateHandler(), disposeHandler: true)
        {
            BaseAddress = new Uri($"http://{runtimeApi}/2018-06-01/"),

            // The environment is frozen inside GET next, for minutes or hours: any client timeout would fire at thaw.
            Timeout = Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = MaxPayloadBytes,
        };
    }

    /// <summary>
    /// The Runtime API (AWS_LAMBDA_RUNTIME_API, the sandbox's own endpoint) is never called through a proxy. A function
    /// that reaches ECR through one sets HTTP_PROXY (or ALL_PROXY), and .NET's default handler sends every request there,
    /// a loopback address included unless NO_PROXY names it (https://github.com/dotnet/runtime/issues/31680), so GET
    /// next never reached the Runtime API and the function failed every cold start. Amazon.Lambda.RuntimeSupport turned the proxy off for the same reason
    /// (https://github.com/aws/aws-lambda-dotnet/pull/2578).
    /// </summary>
    internal static SocketsHttpHandler CreateHandler() => new() { UseProxy = false };

    public async Task<RuntimeInvocation> GetNextInvocationAsync(CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(new Uri("runtime/invocation/next", UriKind.Relative), cancellationToken);
        response.EnsureSuccessStatusCode();
        var payload = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var headers = response.Headers;
        var requestId = Header(headers, RequestIdHeader) ?? throw new InvalidOperationException($"The Runtime API answered without {RequestIdHeader}.");
        var deadline = long.TryParse(Header(headers, DeadlineHeader), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? ms : (long?)null;
        _current = new CurrentInvocation(requestId, Header(headers, InvocationIdHeader));
        return new RuntimeInvocation(requestId, deadline, Header(headers, FunctionArnHeader) ?? string.Empty, Header(headers, TraceIdHeader), payload);
    }

    public async Task SendResponseAsync(string awsRequestId, byte[] payload, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, InvocationUri(awsRequestId, "response"));
        request.Content = new ByteArrayContent(payload);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        AddInvocationId(request, awsRequestId);
        using var response = await _http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public async Task ReportInvocationErrorAsync(string awsRequestId, RuntimeError error, string errorTypeHeader, CancellationToken cancellationToken)
    {
        using var response = await PostErrorAsync(InvocationUri(awsRequestId, "error"), error, errorTypeHeader, awsRequestId, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public async Task ReportInitializationErrorAsync(RuntimeError error, string errorTypeHeader, CancellationToken cancellationToken)
    {
        using var response = await PostErrorAsync(new Uri("runtime/init/error", UriKind.Relative), error, errorTypeHeader, awsRequestId: null, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public void Dispose() => _http.Dispose();

    private static Uri InvocationUri(string awsRequestId, string action) =>
        new($"runtime/invocation/{Uri.EscapeDataString(awsRequestId)}/{action}", UriKind.Relative);

    private static string? Header(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private async Task<HttpResponseMessage> PostErrorAsync(Uri uri, RuntimeError error, string errorTypeHeader, string? awsRequestId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri);
        request.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(error, RuntimeJsonContext.Default.RuntimeError));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(ErrorContentType);
        request.Headers.TryAddWithoutValidation(ErrorTypeHeader, errorTypeHeader);
        AddInvocationId(request, awsRequestId);
        return await _http.SendAsync(request, cancellationToken);
    }

    /// <summary>
    /// The invocation id GET next sent with <paramref name="awsRequestId"/>, if any (see <see cref="InvocationIdHeader"/>);
    /// none for a post of no invocation (<c>init/error</c>).
    /// </summary>
    private void AddInvocationId(HttpRequestMessage request, string? awsRequestId)
    {
        if (awsRequestId is not null && _current is { InvocationId: { } id } current && current.RequestId == awsRequestId)
        {
            request.Headers.TryAddWithoutValidation(InvocationIdHeader, id);
        }
    }

    private sealed record CurrentInvocation(string RequestId, string? InvocationId);
}
