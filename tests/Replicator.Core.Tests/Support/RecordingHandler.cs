using System.Net;
using System.Text;

namespace Replicator.Core.Tests;

/// <summary>
/// An HttpMessageHandler that records each request exactly and answers with canned ECR responses, in order
/// (the last one repeats).
/// </summary>
internal sealed class RecordingHandler : HttpMessageHandler
{
    private readonly Queue<Func<HttpResponseMessage>> _responses = new();
    private Func<HttpResponseMessage>? _last;

    public List<RecordedRequest> Requests { get; } = [];

    public RecordingHandler Respond(HttpStatusCode status, string? body, params (string Name, string Value)[] headers)
    {
        _responses.Enqueue(() => Response(status, body is null ? null : Encoding.UTF8.GetBytes(body), headers));
        return this;
    }

    public RecordingHandler Respond(Func<HttpResponseMessage> response)
    {
        _responses.Enqueue(response);
        return this;
    }

    public RecordingHandler RespondOk(string body, string requestId = "req-1") =>
        Respond(HttpStatusCode.OK, body, ("x-amzn-RequestId", requestId));

    public static HttpResponseMessage Response(HttpStatusCode status, byte[]? body, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(status);
        if (body is not null)
        {
            response.Content = new ByteArrayContent(body);
            response.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-amz-json-1.1");
        }

        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in request.Headers)
        {
            headers[header.Key] = string.Join(",", header.Value);
        }

        var body = Array.Empty<byte>();
        if (request.Content is not null)
        {
            foreach (var header in request.Content.Headers)
            {
                headers[header.Key] = string.Join(",", header.Value);
            }

            // Computed on demand by HttpContent, so not in the enumeration above.
            if (request.Content.Headers.ContentLength is { } length)
            {
                headers["Content-Length"] = length.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            body = await request.Content.ReadAsByteArrayAsync(cancellationToken);
        }

        headers["Host"] = request.Headers.Host ?? request.RequestUri!.Authority;
        Requests.Add(new RecordedRequest(request.Method, request.RequestUri!, headers, body));

        if (_responses.TryDequeue(out var next))
        {
            _last = next;
        }

        var response = (_last ?? throw new InvalidOperationException("no canned response")).Invoke();
        response.RequestMessage = request;
        return response;
    }
}
