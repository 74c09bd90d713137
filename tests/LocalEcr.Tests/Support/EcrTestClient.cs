using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
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
        if (!response.IsSuccessStatusCode)
        {
            AssertErrorCodeIsModelled(request, (int)response.StatusCode, text, errorType, requestId);
        }

        AssertAnswerIsModelled(request, response.IsSuccessStatusCode, text, requestId);

        return new EcrResponse(response.StatusCode, text, errorType, requestId);
    }

    /// <summary>The Content-Type botocore sends with an STS query request.</summary>
    public const string StsForm = "application/x-www-form-urlencoded; charset=utf-8";

    /// <summary>
    /// Posts a signed STS query request: <paramref name="form"/>'s parameters in their order, each name and value
    /// percent-encoded as botocore encodes them, no X-Amz-Target, signed for <paramref name="service"/> (STS's "sts").
    /// <paramref name="contentType"/> is the Content-Type sent (and signed); null sends none. <paramref name="chunked"/>
    /// sends the body without a Content-Length.
    /// </summary>
    public async Task<StsAnswer> SendStsAsync(IEnumerable<(string Name, string Value)> form, Action<HttpRequestMessage>? tamper = null, string? contentType = StsForm, string service = "sts", bool chunked = false)
    {
        var body = Encoding.UTF8.GetBytes(string.Join('&', form.Select(p => Uri.EscapeDataString(p.Name) + "=" + Uri.EscapeDataString(p.Value))));
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint);
        request.Content = chunked ? new StreamContent(new UnseekableStream(body)) : new ByteArrayContent(body);
        if (contentType is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        if (SessionToken is not null)
        {
            request.Headers.Add("X-Amz-Security-Token", SessionToken);
        }

        TestSigner.Sign(request, body, region, accessKey, secretKey, Clock.GetUtcNow().UtcDateTime, service: service);
        tamper?.Invoke(request);
        using var response = await _http.SendAsync(request);
        var requestId = response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.First() : null;
        return new StsAnswer(response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType, requestId);
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

    /// <summary>A body whose length HttpClient cannot know, so it goes out chunked (RFC 9112, section 7.1).</summary>
    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

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
    /// Every answer of every test is also checked against botocore's model of it (<see cref="EcrModel.CheckAnswer"/>,
    /// <see cref="EcrModel.CheckError"/>): its members, their JSON types, the enums (a per-item <c>failureCode</c> among
    /// them, which a client switches on), lengths and patterns. An SDK drops a member its model lacks and reads a wrong
    /// type as an error, so a client relying on either would pass here only. Exempt as in
    /// <see cref="AssertErrorCodeIsModelled"/>: the fault injector's answers, what is not an ECR operation's, and the
    /// common errors (<see cref="ModelledErrors.Common"/>), which the model does not shape.
    /// </summary>
    private void AssertAnswerIsModelled(HttpRequestMessage request, bool succeeded, string body, string? requestId)
    {
        var target = request.Headers.TryGetValues("X-Amz-Target", out var targets) ? targets.First() : null;
        if (target is null || !target.StartsWith(EcrDispatcher.TargetPrefix, StringComparison.Ordinal)
            || !EcrModel.Instance.Knows(target[EcrDispatcher.TargetPrefix.Length..])
            || (requestId is not null && server.Faults.IsInjectedAnswer(requestId)))
        {
            return;
        }

        var operation = target[EcrDispatcher.TargetPrefix.Length..];
        using var answer = JsonDocument.Parse(body.Length == 0 ? "{}" : body);
        var violations = succeeded
            ? EcrModel.Instance.CheckAnswer(operation, answer.RootElement)
            : answer.RootElement.TryGetProperty("__type", out var type) && type.GetString() is { } code && EcrModel.Instance.Errors(operation).Contains(code, StringComparer.Ordinal)
                ? EcrModel.Instance.CheckError(code, answer.RootElement)
                : [];
        Assert.True(violations.Count == 0, $"{operation}'s answer breaks the model: {string.Join("; ", violations.Select(v => v.Message))}\n{body}");
    }
}
