using System.Net;
using System.Text;
using Replicator.Function.Runtime;

namespace Replicator.Function.Tests.Runtime;

public sealed class RuntimeApiClientTests
{
    /// <summary>
    /// HTTP_PROXY, set for the function's calls to ECR, must not carry the Runtime API's: .NET's default handler sent
    /// GET next to the proxy, and the function never served an invocation. The proxy is read from the environment once
    /// per process (HttpClient.DefaultProxy), so a test cannot set it for one client; the handler is what decides.
    /// </summary>
    [Fact]
    public void The_Runtime_API_is_never_called_through_a_proxy()
    {
        using var handler = RuntimeApiClient.CreateHandler();

        Assert.False(handler.UseProxy);
    }

    /// <summary>
    /// The Runtime API sends a per-attempt Lambda-Runtime-Invocation-Id on GET next and checks it on the response and
    /// error posts that carry it, so a late post of a timed-out attempt is refused instead of being taken as the answer
    /// of a new attempt with the same request id (aws/aws-lambda-dotnet#2508, aws/aws-lambda-rust-runtime#1159).
    /// </summary>
    [Fact]
    public async Task The_invocation_id_of_GET_next_is_echoed_on_the_response_post()
    {
        var runtime = new FakeRuntimeApi(invocationId: "attempt-7f3a");
        using var client = new RuntimeApiClient("127.0.0.1:9001", runtime);

        var invocation = await client.GetNextInvocationAsync(CancellationToken.None);
        await client.SendResponseAsync(invocation.AwsRequestId, Encoding.UTF8.GetBytes("{}"), CancellationToken.None);

        var post = Assert.Single(runtime.Posts);
        Assert.Equal("/2018-06-01/runtime/invocation/req-1/response", post.Path);
        Assert.Equal("attempt-7f3a", post.InvocationId);
    }

    [Fact]
    public async Task The_invocation_id_of_GET_next_is_echoed_on_the_error_post()
    {
        var runtime = new FakeRuntimeApi(invocationId: "attempt-7f3a");
        using var client = new RuntimeApiClient("127.0.0.1:9001", runtime);

        var invocation = await client.GetNextInvocationAsync(CancellationToken.None);
        await client.ReportInvocationErrorAsync(invocation.AwsRequestId, new RuntimeError("boom", "Boom", []), "Boom", CancellationToken.None);

        var post = Assert.Single(runtime.Posts);
        Assert.Equal("/2018-06-01/runtime/invocation/req-1/error", post.Path);
        Assert.Equal("attempt-7f3a", post.InvocationId);
        Assert.Equal("Boom", post.ErrorType);
    }

    /// <summary>Backward compatible both ways: a Runtime API that sends no invocation id gets none back.</summary>
    [Fact]
    public async Task No_invocation_id_is_sent_when_GET_next_had_none()
    {
        var runtime = new FakeRuntimeApi(invocationId: null);
        using var client = new RuntimeApiClient("127.0.0.1:9001", runtime);

        var invocation = await client.GetNextInvocationAsync(CancellationToken.None);
        await client.SendResponseAsync(invocation.AwsRequestId, Encoding.UTF8.GetBytes("{}"), CancellationToken.None);
        await client.ReportInvocationErrorAsync(invocation.AwsRequestId, new RuntimeError("boom", "Boom", []), "Boom", CancellationToken.None);

        Assert.Equal(2, runtime.Posts.Count);
        Assert.All(runtime.Posts, post => Assert.Null(post.InvocationId));
    }

    /// <summary>Each attempt's own id: the id of the previous invocation is never sent with the next one's posts.</summary>
    [Fact]
    public async Task Each_invocation_echoes_its_own_id_and_an_init_error_none()
    {
        var runtime = new FakeRuntimeApi(invocationId: "attempt-1");
        using var client = new RuntimeApiClient("127.0.0.1:9001", runtime);

        await client.ReportInitializationErrorAsync(new RuntimeError("bad", "Runtime.ConfigInvalid", []), "Runtime.ConfigInvalid", CancellationToken.None);
        var first = await client.GetNextInvocationAsync(CancellationToken.None);
        await client.SendResponseAsync(first.AwsRequestId, Encoding.UTF8.GetBytes("{}"), CancellationToken.None);
        runtime.InvocationId = null;
        var second = await client.GetNextInvocationAsync(CancellationToken.None);
        await client.SendResponseAsync(second.AwsRequestId, Encoding.UTF8.GetBytes("{}"), CancellationToken.None);

        Assert.Equal([null, "attempt-1", null], runtime.Posts.Select(p => p.InvocationId));
    }

    private sealed record Post(string Path, string? InvocationId, string? ErrorType, string? ContentType = null);

    /// <summary>
    /// GET next answers one invocation (request id "req-1" unless <see cref="RequestId"/> says otherwise) with the headers
    /// Lambda sends, or <see cref="NextStatus"/> alone when that is not 200; every POST is recorded and accepted (202).
    /// </summary>
    private sealed class FakeRuntimeApi(string? invocationId) : HttpMessageHandler
    {
        public string? InvocationId { get; set; } = invocationId;

        public string? RequestId { get; set; } = "req-1";

        public HttpStatusCode NextStatus { get; set; } = HttpStatusCode.OK;

        public byte[] Payload { get; set; } = Encoding.UTF8.GetBytes("{}");

        public List<Post> Posts { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Get)
            {
                if (NextStatus != HttpStatusCode.OK)
                {
                    return Task.FromResult(new HttpResponseMessage(NextStatus) { Content = new StringContent("{\"errorType\":\"Runtime.Error\"}") });
                }

                var next = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(Payload) };
                if (RequestId is { } requestId)
                {
                    next.Headers.Add(RuntimeApiClient.RequestIdHeader, requestId);
                }

                next.Headers.Add(RuntimeApiClient.DeadlineHeader, "1893456000000");
                next.Headers.Add(RuntimeApiClient.FunctionArnHeader, "arn:aws:lambda:us-east-1:000000000000:function:f");
                if (InvocationId is { } id)
                {
                    next.Headers.Add("Lambda-Runtime-Invocation-Id", id);
                }

                return Task.FromResult(next);
            }

            Posts.Add(new Post(
                request.RequestUri!.AbsolutePath,
                request.Headers.TryGetValues("Lambda-Runtime-Invocation-Id", out var ids) ? ids.Single() : null,
                request.Headers.TryGetValues(RuntimeApiClient.ErrorTypeHeader, out var types) ? types.Single() : null,
                request.Content?.Headers.ContentType?.MediaType));
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.Accepted));
        }
    }

    /// <summary>
    /// The invocation id belongs to the attempt GET next handed out with it: a post for any other request id (a late
    /// answer of an earlier invocation) carries none, so the Runtime API matches it by request id and cannot take it for
    /// the current attempt's.
    /// </summary>
    [Fact]
    public async Task A_post_for_another_request_id_carries_no_invocation_id()
    {
        var runtime = new FakeRuntimeApi(invocationId: "attempt-7f3a");
        using var client = new RuntimeApiClient("127.0.0.1:9001", runtime);

        await client.GetNextInvocationAsync(CancellationToken.None);
        await client.SendResponseAsync("req-0", Encoding.UTF8.GetBytes("{}"), CancellationToken.None);
        await client.ReportInvocationErrorAsync("req-0", new RuntimeError("boom", "Boom", []), "Boom", CancellationToken.None);

        Assert.Equal(2, runtime.Posts.Count);
        Assert.All(runtime.Posts, post => Assert.Null(post.InvocationId));
    }

    /// <summary>
    /// The Runtime API's error posts carry the error document's media type, application/vnd.aws.lambda.error+json
    /// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html), and a response its JSON type.
    /// </summary>
    [Fact]
    public async Task Each_post_carries_its_content_type()
    {
        var runtime = new FakeRuntimeApi(invocationId: null);
        using var client = new RuntimeApiClient("127.0.0.1:9001", runtime);

        await client.ReportInitializationErrorAsync(new RuntimeError("bad", "Runtime.ConfigInvalid", []), "Runtime.ConfigInvalid", CancellationToken.None);
        var invocation = await client.GetNextInvocationAsync(CancellationToken.None);
        await client.SendResponseAsync(invocation.AwsRequestId, Encoding.UTF8.GetBytes("{}"), CancellationToken.None);
        await client.ReportInvocationErrorAsync(invocation.AwsRequestId, new RuntimeError("boom", "Boom", []), "Boom", CancellationToken.None);

        Assert.Equal([RuntimeApiClient.ErrorContentType, "application/json", RuntimeApiClient.ErrorContentType], runtime.Posts.Select(p => p.ContentType));
    }

    /// <summary>A request id is a path segment of the posts: one with a character that has a meaning in a path is escaped, never taken as a path.</summary>
    [Fact]
    public async Task The_request_id_is_escaped_in_the_post_path()
    {
        var runtime = new FakeRuntimeApi(invocationId: null) { RequestId = "req/1?x" };
        using var client = new RuntimeApiClient("127.0.0.1:9001", runtime);

        var invocation = await client.GetNextInvocationAsync(CancellationToken.None);
        await client.SendResponseAsync(invocation.AwsRequestId, Encoding.UTF8.GetBytes("{}"), CancellationToken.None);

        Assert.Equal("req/1?x", invocation.AwsRequestId);
        Assert.Equal("/2018-06-01/runtime/invocation/req%2F1%3Fx/response", Assert.Single(runtime.Posts).Path);
    }

    /// <summary>
    /// A GET next the Runtime API answers with an error status fails with that status (a 500 is a container error after
    /// which the runtime exits), not with a missing header read from the error's answer.
    /// </summary>
    [Fact]
    public async Task A_GET_next_answered_with_an_error_status_fails_with_that_status()
    {
        var runtime = new FakeRuntimeApi(invocationId: null) { NextStatus = HttpStatusCode.InternalServerError };
        using var client = new RuntimeApiClient("127.0.0.1:9001", runtime);

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetNextInvocationAsync(CancellationToken.None));

        Assert.Equal(HttpStatusCode.InternalServerError, failure.StatusCode);
    }

    /// <summary>An invocation without a request id cannot be answered: GET next fails instead of handing out an invocation no post could name.</summary>
    [Fact]
    public async Task An_invocation_without_a_request_id_fails()
    {
        var runtime = new FakeRuntimeApi(invocationId: null) { RequestId = null };
        using var client = new RuntimeApiClient("127.0.0.1:9001", runtime);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetNextInvocationAsync(CancellationToken.None));

        Assert.Contains(RuntimeApiClient.RequestIdHeader, failure.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// GET next reads at most <see cref="RuntimeApiClient.MaxPayloadBytes"/> into memory: an event of exactly that size
    /// is read whole, a larger one is refused rather than buffered without bound.
    /// </summary>
    [Fact]
    public async Task An_invocation_up_to_the_payload_limit_is_read_and_a_larger_one_is_refused()
    {
        var runtime = new FakeRuntimeApi(invocationId: null) { Payload = new byte[RuntimeApiClient.MaxPayloadBytes] };
        using var client = new RuntimeApiClient("127.0.0.1:9001", runtime);

        Assert.Equal(RuntimeApiClient.MaxPayloadBytes, (await client.GetNextInvocationAsync(CancellationToken.None)).Payload.Length);

        runtime.Payload = new byte[RuntimeApiClient.MaxPayloadBytes + 1];
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetNextInvocationAsync(CancellationToken.None));
    }
}
