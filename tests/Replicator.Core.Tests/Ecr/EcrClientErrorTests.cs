using System.Net;
using Microsoft.Extensions.Time.Testing;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Tests.Support;

namespace Replicator.Core.Tests.Ecr;

public sealed class EcrClientErrorTests
{
    private static readonly ListImagesRequest List = new() { RepositoryName = "app" };

    [Fact]
    public async Task Modelled_error_from_the_body_with_status_and_request_id()
    {
        var handler = new RecordingHandler().Respond(
            HttpStatusCode.BadRequest,
            """{"__type":"RepositoryNotFoundException","message":"The repository with name 'app' does not exist in the registry with id '123456789012'"}""",
            ("x-amzn-RequestId", "rid-42"));

        var ex = await Assert.ThrowsAsync<EcrException>(() => TestClients.Create(handler).ListImagesAsync(List));

        Assert.Equal(EcrErrorCodes.RepositoryNotFoundException, ex.ErrorCode);
        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Equal("rid-42", ex.RequestId);
        Assert.Equal("ListImages", ex.Operation);
        Assert.False(ex.IsTransient);
        Assert.StartsWith("The repository with name 'app'", ex.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal("ListImages: RepositoryNotFoundException: " + ex.ErrorMessage + " (HTTP 400, request id rid-42)", ex.Message);
    }

    [Fact]
    public async Task Error_type_from_the_header_when_the_body_has_none()
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.BadRequest, """{"message":"Rate exceeded"}""", ("X-Amzn-Errortype", "ThrottlingException:http://internal.amazon.com/"));
        var ex = await Assert.ThrowsAsync<EcrException>(() => TestClients.Create(handler).ListImagesAsync(List));
        Assert.Equal(EcrErrorCodes.ThrottlingException, ex.ErrorCode);
        Assert.True(ex.IsTransient);
    }

    [Fact]
    public async Task Server_error_without_a_body_is_transient()
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.ServiceUnavailable, null);
        var ex = await Assert.ThrowsAsync<EcrException>(() => TestClients.Create(handler).ListImagesAsync(List));
        Assert.Equal(EcrErrorCodes.ServiceUnavailable, ex.ErrorCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ex.StatusCode);
        Assert.True(ex.IsTransient);
        Assert.Null(ex.RequestId);
    }

    [Fact]
    public async Task InvalidLayerPart_exposes_last_valid_byte()
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.BadRequest, """{"__type":"InvalidLayerPartException","lastValidByteReceived":5242879,"message":"part not contiguous"}""");
        var ex = await Assert.ThrowsAsync<EcrException>(() => TestClients.Create(handler).UploadLayerPartAsync(
            new() { RepositoryName = "app", UploadId = "u", PartFirstByte = 6_000_000, PartLastByte = 6_000_000, LayerPartBlob = new byte[1] }));
        Assert.Equal(5_242_879L, ex.LastValidByteReceived);
        Assert.False(ex.IsTransient);
    }

    [Fact]
    public async Task Error_body_is_read_only_up_to_the_cap()
    {
        var body = new CountingStream(10 * 1024 * 1024);
        var handler = new RecordingHandler().Respond(() =>
            new HttpResponseMessage(HttpStatusCode.BadGateway) { Content = new StreamContent(body, 4096) });

        var ex = await Assert.ThrowsAsync<EcrException>(() => TestClients.Create(handler).ListImagesAsync(List));

        Assert.Equal(EcrErrorCodes.InternalFailure, ex.ErrorCode);
        Assert.True(ex.IsTransient);
        Assert.InRange(body.BytesRead, 1, EcrErrorClassifier.MaxErrorBodyBytes);
    }

    /// <summary>
    /// A stream read returns what has arrived, not the whole body (a chunked answer, a body split across TLS records),
    /// so the error body is read until it ends: a code only the body names must not be lost with its later pieces.
    /// </summary>
    [Fact]
    public async Task An_error_body_that_arrives_in_pieces_is_read_to_its_end()
    {
        var json = """{"message":"The repository with name 'app' does not exist","__type":"RepositoryNotFoundException"}"""u8.ToArray();
        var handler = new RecordingHandler().Respond(() =>
            new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StreamContent(new TricklingStream(json, 7)) });

        var ex = await Assert.ThrowsAsync<EcrException>(() => TestClients.Create(handler).ListImagesAsync(List));

        Assert.Equal(EcrErrorCodes.RepositoryNotFoundException, ex.ErrorCode);
        Assert.Equal("The repository with name 'app' does not exist", ex.ErrorMessage);
    }

    /// <summary>
    /// The status and the X-Amzn-Errortype header already name the error (the header wins over the body in AWS JSON 1.1):
    /// a connection cut while its body is read must not turn a permanent refusal into a transient ConnectionFailure,
    /// which would retry a call that cannot succeed and report the wrong cause.
    /// </summary>
    [Fact]
    public async Task An_error_body_cut_by_the_connection_keeps_the_code_the_header_names()
    {
        var handler = new RecordingHandler().Respond(() =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StreamContent(new CutStream("""{"__type":"Repos"""u8.ToArray())) };
            response.Headers.TryAddWithoutValidation("X-Amzn-Errortype", "RepositoryNotFoundException:http://internal.amazon.com/");
            return response;
        });

        var ex = await Assert.ThrowsAsync<EcrException>(() => TestClients.Create(handler).ListImagesAsync(List));

        Assert.Equal(EcrErrorCodes.RepositoryNotFoundException, ex.ErrorCode);
        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.False(ex.IsTransient);
    }

    /// <summary>
    /// A success whose body the connection cuts (SocketsHttpHandler raises an IOException, HttpIOException, from the
    /// body's read, after the headers said 200) is a transient ConnectionFailure: the call may well have succeeded and
    /// is retried, never surfaced as a raw IOException that the retry and failure classifiers do not know.
    /// </summary>
    [Fact]
    public async Task A_success_body_cut_by_the_connection_is_a_transient_ConnectionFailure()
    {
        var handler = new RecordingHandler().Respond(() => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new CutStream("""{"imageIds":[{"imageDig"""u8.ToArray())) });

        var ex = await Assert.ThrowsAsync<EcrException>(() => TestClients.Create(handler).ListImagesAsync(List));

        Assert.Equal(EcrErrorCodes.ConnectionFailure, ex.ErrorCode);
        Assert.True(ex.IsTransient);
        Assert.Equal("ListImages", ex.Operation);
        Assert.IsType<IOException>(ex.InnerException);
    }

    /// <summary>
    /// A connection the endpoint closes before its answer ended (the request may have been applied) is a transient
    /// ConnectionFailure saying so, with the endpoint's authority: the operator's clue to an idle-timeout on the path,
    /// told apart from a connection that never opened.
    /// </summary>
    [Fact]
    public async Task A_response_the_endpoint_ends_early_is_a_transient_ConnectionFailure_that_says_so()
    {
        var handler = new RecordingHandler().Respond(() => throw new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely."));

        var ex = await Assert.ThrowsAsync<EcrException>(() => TestClients.Create(handler).ListImagesAsync(List));

        Assert.Equal(EcrErrorCodes.ConnectionFailure, ex.ErrorCode);
        Assert.True(ex.IsTransient);
        Assert.Equal($"the ECR endpoint closed the connection before the response ended {handler.Requests[0].Uri.Authority}", ex.ErrorMessage);
    }

    [Fact]
    public async Task Connection_refused_on_a_closed_port_is_a_transient_ConnectionFailure()
    {
        using var closed = new ClosedPort();
        var port = closed.Port;

        var client = TestClients.Create(new SocketsHttpHandler(), serviceUrl: closed.Endpoint);
        var ex = await Assert.ThrowsAsync<EcrException>(() => client.ListImagesAsync(List));

        Assert.Equal(EcrErrorCodes.ConnectionFailure, ex.ErrorCode);
        Assert.True(ex.IsTransient);
        Assert.Null(ex.StatusCode);
        Assert.IsType<HttpRequestException>(ex.InnerException);
        Assert.EndsWith($"could not connect to the ECR endpoint 127.0.0.1:{port}", ex.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out_as_a_transient_RequestTimeout()
    {
        // The client's timeout runs on its clock, moved here once the server holds the request. The timer is re-armed
        // as the body finishes (EcrClient), which may come just after the server has read it, so the clock is moved
        // again until the call ends; HttpClient's own 100 s timeout, on the real clock, is never what ends it.
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new LoopbackHttpServer(_ =>
        {
            received.TrySetResult();
            return null;
        });
        var time = new FakeTimeProvider(TestClients.Now);
        var client = TestClients.Create(new SocketsHttpHandler(), serviceUrl: server.Url, timeout: TimeSpan.FromSeconds(30), time: time);

        var call = client.ListImagesAsync(List);
        await received.Task.WaitAsync(TimeSpan.FromMinutes(1));
        var started = DateTime.UtcNow;
        while (!call.IsCompleted && DateTime.UtcNow - started < TimeSpan.FromMinutes(1))
        {
            time.Advance(TimeSpan.FromSeconds(31));
            await Task.WhenAny(call, Task.Delay(TimeSpan.FromMilliseconds(20)));
        }

        var ex = await Assert.ThrowsAsync<EcrException>(() => call);
        Assert.Equal(EcrErrorCodes.RequestTimeout, ex.ErrorCode);
        Assert.True(ex.IsTransient);
        Assert.IsNotType<TimeoutException>(ex.InnerException?.InnerException);
    }

    [Fact]
    public async Task Caller_cancellation_surfaces_as_OperationCanceledException_not_EcrException()
    {
        await using var server = new LoopbackHttpServer(_ => null);
        var client = TestClients.Create(new SocketsHttpHandler(), serviceUrl: server.Url);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ListImagesAsync(List, cts.Token));
        Assert.Equal(cts.Token, ex.CancellationToken);
    }

    [Fact]
    public async Task An_already_cancelled_token_sends_nothing()
    {
        var handler = new RecordingHandler().RespondOk("{}");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => TestClients.Create(handler).ListImagesAsync(List, new CancellationToken(canceled: true)));
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task Transport_exception_raised_while_the_caller_cancels_is_reported_as_cancellation()
    {
        using var cts = new CancellationTokenSource();
        var handler = new RecordingHandler().Respond(() =>
        {
            cts.Cancel();
            throw new HttpRequestException("connection reset");
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => TestClients.Create(handler).ListImagesAsync(List, cts.Token));
    }

    [Fact]
    public async Task Exception_text_holds_no_secret_and_no_token()
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.Forbidden, """{"__type":"InvalidSignatureException","message":"The request signature we calculated does not match"}""");
        var ex = await Assert.ThrowsAsync<EcrException>(() => TestClients.Create(handler).ListImagesAsync(List));

        Assert.Equal(EcrErrorCodes.InvalidSignatureException, ex.ErrorCode);
        Assert.DoesNotContain(TestClients.SecretKey, ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(TestClients.SessionToken, ex.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Serves <paramref name="bytes"/> at most <paramref name="piece"/> bytes a read, as a network stream may.</summary>
    private sealed class TricklingStream(byte[] bytes, int piece) : ReadOnlyStream
    {
        private int _position;

        public override long Position => _position;

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, piece), bytes.Length - _position);
            bytes.AsSpan(_position, n).CopyTo(buffer.AsSpan(offset, n));
            _position += n;
            return n;
        }
    }

    /// <summary>Serves <paramref name="bytes"/>, then fails as a reset connection does.</summary>
    private sealed class CutStream(byte[] bytes) : ReadOnlyStream
    {
        private int _position;

        public override long Position => _position;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position == bytes.Length)
            {
                throw new IOException("connection reset");
            }

            var n = Math.Min(count, bytes.Length - _position);
            bytes.AsSpan(_position, n).CopyTo(buffer.AsSpan(offset, n));
            _position += n;
            return n;
        }
    }

    /// <summary>A long body that counts what the client actually read.</summary>
    private sealed class CountingStream(long length) : ReadOnlyStream
    {
        public long BytesRead { get; private set; }

        public override long Length => length;

        public override long Position => BytesRead;

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - BytesRead);
            buffer.AsSpan(offset, n).Fill((byte)'x');
            BytesRead += n;
            return n;
        }
    }
}
