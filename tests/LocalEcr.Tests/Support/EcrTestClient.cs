using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using LocalEcr.Api;
using LocalEcr.Model;

namespace LocalEcr.Tests.Support;

/// <summary>Sends signed AWS JSON 1.1 ECR requests to a LocalEcr over real HTTP.</summary>
internal sealed class EcrTestClient(LocalEcrServer server, string region = "us-east-1", string accessKey = "test", string secretKey = "test", Uri? endpoint = null) : IDisposable
{
    /// <summary>The Content-Type of the awsJson1_1 protocol, which botocore sends on every ECR call.</summary>
    public const string AwsJson11 = "application/x-amz-json-1.1";

    private readonly Uri _endpoint = endpoint ?? server.BaseAddress;
    private readonly HttpClient _http = new() { BaseAddress = endpoint ?? server.BaseAddress };

    public LocalEcrServer Server => server;

    public string Region => region;

    /// <summary>Sent as <c>X-Amz-Security-Token</c> (signed) when set: the key is a temporary one.</summary>
    public string? SessionToken { get; init; }

    /// <summary>
    /// The clock the client signs with (X-Amz-Date). LocalEcr refuses a signature more than 5 minutes from its own
    /// clock, as AWS does: a test that moves LocalEcr's clock gives the client the same one.
    /// </summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    public EcrTestClient WithRegion(string other) => new(server, other, accessKey, secretKey, endpoint) { SessionToken = SessionToken, Clock = Clock };

    public EcrTestClient WithKeys(string access, string secret) => new(server, region, access, secret, endpoint) { Clock = Clock };

    public Task<EcrResponse> CallAsync(string operation, JsonObject? body = null) =>
        SendRawAsync("AmazonEC2ContainerRegistry_V20150921." + operation, Encoding.UTF8.GetBytes((body ?? []).ToJsonString()));

    /// <summary>
    /// Posts a signed request. <paramref name="contentType"/> is the Content-Type sent (and signed); null sends none.
    /// </summary>
    public async Task<EcrResponse> SendRawAsync(string target, byte[] body, Action<HttpRequestMessage>? tamper = null, string? payloadHash = null, string? contentType = AwsJson11)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint);
        request.Content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        request.Headers.Add("X-Amz-Target", target);
        if (SessionToken is not null)
        {
            request.Headers.Add("X-Amz-Security-Token", SessionToken);
        }

        TestSigner.Sign(request, body, region, accessKey, secretKey, Clock.GetUtcNow().UtcDateTime, payloadHash: payloadHash);
        tamper?.Invoke(request);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var errorType = response.Headers.TryGetValues("X-Amzn-Errortype", out var types) ? types.First() : null;
        var requestId = response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.First() : null;
        AssertFailureCodesAreTheModels(target, response.IsSuccessStatusCode, text);
        if (!response.IsSuccessStatusCode)
        {
            AssertErrorCodeIsModelled(request, (int)response.StatusCode, text, errorType, requestId);
        }

        return new EcrResponse(response.StatusCode, text, errorType, requestId);
    }

    public async Task<HttpResponseMessage> GetAsync(string url, string? range = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (range is not null)
        {
            request.Headers.TryAddWithoutValidation("Range", range);
        }

        return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    public void Dispose() => _http.Dispose();

    /// <summary>
    /// Every test that provokes an error answer also checks its code: ECR answers an operation only the errors
    /// botocore's model lists for it, or one of the few every AWS JSON service sends (<see cref="ModelledErrors"/>).
    /// The code is read from both places a client may read it, <c>__type</c> and X-Amzn-Errortype. An answer of the
    /// fault injector (FailNext, or POST /_localecr/faults/fail) is exempt: its code is the test's choice, not LocalEcr's,
    /// and LocalEcr notes each such answer by its request id, so nothing else is exempt. The operation is the one the
    /// request named in the X-Amz-Target it sent (after any tampering); a request without one that LocalEcr routes to
    /// its STS endpoint (form-encoded, as STS's query protocol is) is not an ECR call and is not checked.
    /// </summary>
    private void AssertErrorCodeIsModelled(HttpRequestMessage request, int status, string body, string? errorType, string? requestId)
    {
        var target = request.Headers.TryGetValues("X-Amz-Target", out var targets) ? targets.First() : null;
        var formEncoded = request.Content?.Headers.ContentType?.MediaType is { } mediaType
            && mediaType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
        if ((target is null && formEncoded) || (requestId is not null && server.Faults.IsInjectedAnswer(requestId)))
        {
            return;
        }

        var operation = target is null ? string.Empty
            : target.StartsWith(EcrDispatcher.TargetPrefix, StringComparison.Ordinal) ? target[EcrDispatcher.TargetPrefix.Length..] : target;
        string? type = null;
        try
        {
            type = body.Length > 0 && JsonNode.Parse(body) is JsonObject answer && answer["__type"] is JsonValue value ? value.GetValue<string>() : null;
        }
        catch (System.Text.Json.JsonException)
        {
            // Not JSON: no __type; the answer must still name its error in X-Amzn-Errortype.
        }

        Assert.True(type is not null || errorType is not null, $"{operation} answered HTTP {status} without an error code: {body}");
        foreach (var code in new[] { type, errorType }.OfType<string>().Distinct(StringComparer.Ordinal))
        {
            Assert.True(ModelledErrors.Allows(operation, code),
                $"{operation} answered {code}, which is neither among the model's errors for it nor a common error ({string.Join(", ", ModelledErrors.AllowedFor(operation))})");
        }
    }

    /// <summary>
    /// Every test that provokes a per-item failure also checks its code: ECR answers only the values of the model's
    /// ImageFailureCode enum (LayerFailureCode for BatchCheckLayerAvailability), and a client that switches on them
    /// (ours does) must never meet a code LocalEcr invented.
    /// </summary>
    private static void AssertFailureCodesAreTheModels(string target, bool succeeded, string body)
    {
        if (!succeeded || JsonNode.Parse(body) is not JsonObject answer || answer["failures"] is not JsonArray failures)
        {
            return;
        }

        var shape = target.EndsWith(".BatchCheckLayerAvailability", StringComparison.Ordinal) ? "LayerFailureCode" : "ImageFailureCode";
        var allowed = EcrModel.Instance.Shape(shape).Enum!;
        foreach (var failure in failures)
        {
            var code = failure!["failureCode"]!.GetValue<string>();
            Assert.True(allowed.Contains(code, StringComparer.Ordinal), $"{target} answered failureCode {code}, which the model's {shape} does not list ({string.Join(", ", allowed)})");
        }
    }
}
