using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Replicator.Core.EventBridge;
using Replicator.Core.EventBridge.Model;
using Replicator.Core.Signing;
using Microsoft.Extensions.Time.Testing;
using Replicator.Testing;

namespace Replicator.Core.Tests.EventBridge;

/// <summary>The PutEvents client against <see cref="LocalEventBridge"/>, which verifies each request's SigV4 signature and shape.</summary>
public sealed class EventBridgeClientTests : IAsyncLifetime
{
    private LocalEventBridge _server = null!;

    public async Task InitializeAsync() => _server = await LocalEventBridge.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_signed_PutEvents_is_accepted_with_its_entries_as_sent()
    {
        using var http = new HttpClient();
        var client = Client(http, new AwsCredentials(LocalEventBridge.AccessKeyId, LocalEventBridge.SecretAccessKey, "session/token+=="), "eu-central-1");

        var response = await client.PutEventsAsync(Request(Entry("a"), Entry("b")), CancellationToken.None);

        Assert.Equal(0, response.FailedEntryCount);
        Assert.Equal(2, response.Entries!.Count);
        Assert.All(response.Entries, e => Assert.False(string.IsNullOrEmpty(e.EventId)));
        var (region, body) = Assert.Single(_server.Accepted);
        Assert.Equal("eu-central-1", region);
        var first = body.GetProperty("Entries")[0];
        Assert.Equal("ecr-replicator", first.GetProperty("Source").GetString());
        Assert.Equal("ECR Image Replicated", first.GetProperty("DetailType").GetString());
        Assert.Equal("{\"k\":\"a\"}", first.GetProperty("Detail").GetString());
        Assert.Equal("bus", first.GetProperty("EventBusName").GetString());

        // AWS JSON 1.1 timestamps are epoch seconds.
        Assert.Equal(1764475200.5m, first.GetProperty("Time").GetDecimal());
    }

    [Fact]
    public async Task The_body_on_the_wire_satisfies_botocores_PutEvents_model()
    {
        using var http = new HttpClient();
        await Client(http).PutEventsAsync(Request(Entry("a"), Entry("b")), CancellationToken.None);
        var body = Assert.Single(_server.Accepted).Body.GetRawText();

        // botocore's own parameter validator over the model's PutEventsRequest: members, types, lengths, list sizes.
        const string Script = """
            import json, sys
            import botocore.session
            from botocore.validate import ParamValidator
            shape = botocore.session.get_session().get_service_model("events").operation_model("PutEvents").input_shape
            print(ParamValidator().validate(json.load(sys.stdin), shape).generate_report())
            """;
        var start = new ProcessStartInfo("python3", ["-c", Script]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var python = Process.Start(start)!;
        await python.StandardInput.WriteAsync(body);
        python.StandardInput.Close();
        var report = await python.StandardOutput.ReadToEndAsync();
        var errors = await python.StandardError.ReadToEndAsync();
        await python.WaitForExitAsync();

        Assert.True(python.ExitCode == 0, errors);
        Assert.Equal(string.Empty, report.Trim());
    }

    [Fact]
    public async Task A_wrong_secret_is_refused_by_the_endpoint_and_not_transient()
    {
        using var http = new HttpClient();
        var client = Client(http, new AwsCredentials(LocalEventBridge.AccessKeyId, "not-the-secret"), "us-east-1");

        var ex = await Assert.ThrowsAsync<EventBridgeException>(() => client.PutEventsAsync(Request(Entry("a")), CancellationToken.None));

        Assert.Equal("InvalidSignatureException", ex.ErrorCode);
        Assert.False(ex.IsTransient);
        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Empty(_server.Accepted);
    }

    [Fact]
    public async Task Entries_refused_one_by_one_come_back_in_the_response()
    {
        _server.EntryError = (_, entry) => entry.GetProperty("Detail").GetString()!.Contains("\"b\"", StringComparison.Ordinal) ? "ThrottlingException" : null;
        using var http = new HttpClient();

        var response = await Client(http).PutEventsAsync(Request(Entry("a"), Entry("b"), Entry("c")), CancellationToken.None);

        Assert.Equal(1, response.FailedEntryCount);
        Assert.Equal([null, "ThrottlingException", null], response.Entries!.Select(e => e.ErrorCode));
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, "ThrottlingException", true)]
    [InlineData(HttpStatusCode.InternalServerError, "InternalException", true)]
    [InlineData(HttpStatusCode.BadRequest, "AccessDeniedException", false)]
    [InlineData(HttpStatusCode.NotFound, "ResourceNotFoundException", false)]
    public async Task A_failed_call_throws_with_its_code_and_retry_verdict(HttpStatusCode status, string code, bool transient)
    {
        _server.CallError = _ => (status, code);
        using var http = new HttpClient();

        var ex = await Assert.ThrowsAsync<EventBridgeException>(() => Client(http).PutEventsAsync(Request(Entry("a")), CancellationToken.None));

        Assert.Equal(code, ex.ErrorCode);
        Assert.Equal(transient, ex.IsTransient);
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_a_transient_connection_failure()
    {
        // A port bound but not listening: a freed port could be given to any server started meanwhile.
        using var closed = new ClosedPort();
        var port = closed.Port;
        using var http = new HttpClient();
        var client = new EventBridgeClient(http, new StaticCredentialsSource(new AwsCredentials(LocalEventBridge.AccessKeyId, LocalEventBridge.SecretAccessKey)), "us-east-1", closed.Endpoint);

        var ex = await Assert.ThrowsAsync<EventBridgeException>(() => client.PutEventsAsync(Request(Entry("a")), CancellationToken.None));

        Assert.Equal("ConnectionFailure", ex.ErrorCode);
        Assert.True(ex.IsTransient);
        Assert.Contains($"the EventBridge endpoint 127.0.0.1:{port} could not be reached", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_error_body_cut_short_is_judged_on_its_status_and_header()
    {
        // The connection breaks inside the error body: the header already named the error, which must not turn into a retryable ConnectionFailure.
        var handler = new RecordingHandler().Respond(() =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new BreakingContent("""{"message":"User is not auth"""u8.ToArray()) };
            response.Headers.TryAddWithoutValidation("X-Amzn-Errortype", "AccessDeniedException");
            return response;
        });
        using var http = new HttpClient(handler);

        var ex = await Assert.ThrowsAsync<EventBridgeException>(() => Client(http).PutEventsAsync(Request(Entry("a")), CancellationToken.None));

        Assert.Equal("AccessDeniedException", ex.ErrorCode);
        Assert.False(ex.IsTransient);
        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
    }

    [Fact]
    public async Task An_answer_larger_than_the_cap_is_refused_as_an_invalid_response()
    {
        var body = "{\"Entries\":[" + new string(' ', EventBridgeClient.MaxResponseBytes) + "]}";
        using var http = new HttpClient(new RecordingHandler().Respond(HttpStatusCode.OK, body));

        var ex = await Assert.ThrowsAsync<EventBridgeException>(() => Client(http).PutEventsAsync(Request(Entry("a")), CancellationToken.None));

        Assert.Equal("InvalidResponse", ex.ErrorCode);
        Assert.False(ex.IsTransient);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(11)]
    public async Task PutEvents_takes_1_to_10_entries(int count)
    {
        using var http = new HttpClient();
        var request = new PutEventsRequest { Entries = [.. Enumerable.Range(0, count).Select(i => Entry(i.ToString(System.Globalization.CultureInfo.InvariantCulture)))] };

        await Assert.ThrowsAsync<ArgumentException>(() => Client(http).PutEventsAsync(request, CancellationToken.None));
        Assert.Empty(_server.Accepted);
    }

    /// <summary>Ten entries, the model's maximum (PutEventsRequestEntryList, max 10), go out in one call.</summary>
    [Fact]
    public async Task PutEvents_sends_ten_entries_the_most_it_takes_in_one_call()
    {
        using var http = new HttpClient();
        var request = new PutEventsRequest { Entries = [.. Enumerable.Range(0, EventBridgeClient.MaxEntriesPerCall).Select(i => Entry(i.ToString(System.Globalization.CultureInfo.InvariantCulture)))] };

        var response = await Client(http).PutEventsAsync(request, CancellationToken.None);

        Assert.Equal(0, response.FailedEntryCount);
        Assert.Equal(10, Assert.Single(_server.Accepted).Body.GetProperty("Entries").GetArrayLength());
    }

    [Theory]
    [InlineData(20)]
    [InlineData(-20)]
    public async Task A_host_clock_20_minutes_off_is_corrected_from_the_refusal_and_the_next_call_goes_through_first_time(int serverMinutesAhead)
    {
        // PutEvents signs through the same AwsJsonRequestSigner as ECR, so it corrects its clock the same way.
        var hostTime = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        await using var skewed = await LocalEventBridge.StartAsync(new FakeTimeProvider(hostTime.AddMinutes(serverMinutesAhead)));
        using var http = new HttpClient();
        var client = new EventBridgeClient(
            http, new StaticCredentialsSource(new AwsCredentials(LocalEventBridge.AccessKeyId, LocalEventBridge.SecretAccessKey)), "us-east-1", skewed.Endpoint, new FakeTimeProvider(hostTime));

        await client.PutEventsAsync(Request(Entry("a")), CancellationToken.None);

        Assert.Equal(["InvalidSignatureException"], skewed.Refused);
        Assert.Single(skewed.Accepted);

        await client.PutEventsAsync(Request(Entry("b")), CancellationToken.None);

        Assert.Single(skewed.Refused);
        Assert.Equal(2, skewed.Accepted.Count);
    }

    /// <summary>
    /// As the ECR client does: a session the service refuses as expired is dropped by the set it signed with (so requests
    /// refused together renew it once), and the call is signed again with the fresh set and sent once more.
    /// </summary>
    [Fact]
    public async Task An_expired_session_is_invalidated_by_the_set_it_used_and_the_call_is_sent_once_more_with_the_fresh_one()
    {
        var handler = new RecordingHandler()
            .Respond(HttpStatusCode.BadRequest, """{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}""")
            .RespondOk("""{"FailedEntryCount":0,"Entries":[{"EventId":"e-1"}]}""");
        using var http = new HttpClient(handler);
        var credentials = new RenewingCredentials();
        var client = new EventBridgeClient(http, credentials, "us-east-1", new Uri("https://events.us-east-1.amazonaws.com/"));

        var response = await client.PutEventsAsync(Request(Entry("a")), CancellationToken.None);

        Assert.Equal("e-1", Assert.Single(response.Entries ?? []).EventId);
        Assert.Equal(["AKIDSESSION0"], credentials.Invalidated);
        Assert.Equal(2, handler.Requests.Count);
        Assert.Contains("Credential=AKIDSESSION0/", handler.Requests[0].Header("Authorization"), StringComparison.Ordinal);
        Assert.Contains("Credential=AKIDSESSION1/", handler.Requests[1].Header("Authorization"), StringComparison.Ordinal);
    }

    /// <summary>
    /// An endpoint that accepts the call and never answers: after the client's timeout (on the injected clock) the call
    /// fails as a transient RequestTimeout, which the sender retries, and not as a cancellation, which would read as
    /// the caller's own stop and drop the events unsent.
    /// </summary>
    [Fact]
    public async Task An_endpoint_that_never_answers_is_a_transient_timeout_after_the_clients_timeout()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var handler = new HangingHandler();
        using var http = new HttpClient(handler);
        var client = new EventBridgeClient(
            http, new StaticCredentialsSource(new AwsCredentials(LocalEventBridge.AccessKeyId, LocalEventBridge.SecretAccessKey)), "us-east-1", new Uri("https://events.us-east-1.amazonaws.com/"), time, TimeSpan.FromSeconds(10));

        var call = client.PutEventsAsync(Request(Entry("a")), CancellationToken.None);
        await handler.Entered.WaitAsync(TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(call.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        var ex = await Assert.ThrowsAsync<EventBridgeException>(() => call);
        Assert.Equal("RequestTimeout", ex.ErrorCode);
        Assert.True(ex.IsTransient);
        Assert.Contains("the PutEvents call timed out", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The caller's own cancellation (the function's deadline, a stop) ends the call as a cancellation, not as a failed
    /// PutEvents: the caller tells its stop from the service's failure by it.
    /// </summary>
    [Fact]
    public async Task The_callers_cancellation_ends_the_call_as_a_cancellation_not_an_EventBridge_failure()
    {
        var handler = new HangingHandler();
        using var http = new HttpClient(handler);
        using var stop = new CancellationTokenSource();
        var client = new EventBridgeClient(
            http, new StaticCredentialsSource(new AwsCredentials(LocalEventBridge.AccessKeyId, LocalEventBridge.SecretAccessKey)), "us-east-1", new Uri("https://events.us-east-1.amazonaws.com/"), new FakeTimeProvider());

        var call = client.PutEventsAsync(Request(Entry("a")), stop.Token);
        await handler.Entered.WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }

    /// <summary>
    /// A 200 whose body is not PutEvents' JSON (a proxy's HTML page, say) is a permanent InvalidResponse, not taken for
    /// a response with no failed entries: the events would otherwise count as delivered.
    /// </summary>
    [Theory]
    [InlineData("<html><body>Welcome</body></html>")]
    [InlineData("""{"FailedEntryCount":"none"}""")]
    public async Task A_success_whose_body_is_not_PutEvents_JSON_is_an_invalid_response(string body)
    {
        using var http = new HttpClient(new RecordingHandler().RespondOk(body));

        var ex = await Assert.ThrowsAsync<EventBridgeException>(() => Client(http).PutEventsAsync(Request(Entry("a")), CancellationToken.None));

        Assert.Equal("InvalidResponse", ex.ErrorCode);
        Assert.False(ex.IsTransient);
        Assert.Contains("the response body is not PutEvents' JSON", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>Takes the request and answers only when cancelled, as an endpoint that never responds.</summary>
    private sealed class HangingHandler : HttpMessageHandler
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Entered => _entered.Task;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            _entered.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new UnreachableException();
        }
    }

    /// <summary>Hands out one session until that session is invalidated by name, then the next; records each set invalidated.</summary>
    private sealed class RenewingCredentials : IAwsCredentialsSource
    {
        private AwsCredentials _current = Session(0);
        private int _sessions;

        public List<string> Invalidated { get; } = [];

        public ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_current);

        public void Invalidate(AwsCredentials used)
        {
            Invalidated.Add(used.AccessKeyId);
            if (ReferenceEquals(used, _current))
            {
                _current = Session(++_sessions);
            }
        }

        private static AwsCredentials Session(int number) => new($"AKIDSESSION{number}", "secret", $"token{number}");
    }

    private EventBridgeClient Client(HttpClient http, AwsCredentials? credentials = null, string region = "us-east-1") =>
        new(http, new StaticCredentialsSource(credentials ?? new AwsCredentials(LocalEventBridge.AccessKeyId, LocalEventBridge.SecretAccessKey)), region, _server.Endpoint);

    private static PutEventsRequest Request(params PutEventsRequestEntry[] entries) => new() { Entries = [.. entries] };

    private static PutEventsRequestEntry Entry(string value) => new()
    {
        Time = DateTimeOffset.FromUnixTimeMilliseconds(1764475200500),
        Source = "ecr-replicator",
        DetailType = "ECR Image Replicated",
        Detail = JsonSerializer.Serialize(new Dictionary<string, string> { ["k"] = value }),
        EventBusName = "bus",
        Resources = ["arn:aws:ecr:us-west-2:111111111111:repository/app"],
    };

    /// <summary>Gives its bytes, then fails as a connection reset mid-body does.</summary>
    private sealed class BreakingContent(byte[] prefix) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(prefix);
            throw new IOException("connection reset by peer");
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
