using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using LocalLambdaHost;
using Microsoft.Extensions.Time.Testing;
using Moq;
using Replicator.Function.Configuration;
using Replicator.Function.Observability;
using Replicator.Function.Runtime;
using Replicator.Function.Tests.Support;
using Replicator.Testing;

namespace Replicator.Function.Tests.Runtime;

/// <summary>The runtime loop against a real Runtime API on loopback (tools/LocalLambdaHost).</summary>
public sealed class LambdaBootstrapTests : IAsyncLifetime
{
    private const int PayloadTooLarge = 413;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 4, 0, 0, TimeSpan.Zero));
    private readonly DictionaryEnvironmentVariables _environment = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<(string RequestId, string Message)> _warnings = new();
    private LocalRuntimeApi _api = null!;
    private RuntimeApiClient _client = null!;

    public async Task InitializeAsync()
    {
        _api = await LocalRuntimeApi.StartAsync(_time);
        _client = new RuntimeApiClient(_api.Address);
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        _client.Dispose();
        await _api.DisposeAsync();
        _stop.Dispose();
    }

    private Task<int> Run(LambdaBootstrapHandler handler, Func<CancellationToken, Task>? initializer = null) =>
        (initializer is null
            ? new LambdaBootstrap(_client, handler, _environment, _time) { RuntimeApiWarning = Warn }
            : new LambdaBootstrap(
                _client,
                async token =>
                {
                    await initializer(token);
                    return handler;
                },
                _environment,
                _time)
            {
                // The app's mapping, as FunctionHost sets it: the loop itself knows no app exception.
                InitErrorType = static ex => ex is ConfigurationException ? RuntimeErrorTypes.ConfigInvalid : null,
                RuntimeApiWarning = Warn,
            }).RunAsync(_stop.Token);

    private void Warn(string requestId, string message) => _warnings.Enqueue((requestId, message));

    /// <summary>Where <see cref="WaitsForItsToken"/> tells its context and token.</summary>
    private static TaskCompletionSource<(ILambdaContext Context, CancellationToken Token)> Seen() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A handler that tells its context and token, then waits for the token and answers that it was cancelled.</summary>
    private static LambdaBootstrapHandler WaitsForItsToken(TaskCompletionSource<(ILambdaContext Context, CancellationToken Token)> seen) =>
        async (invocation, token) =>
        {
            seen.SetResult((invocation.LambdaContext, token));
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, token);
                return "{\"finished\":true}"u8.ToArray();
            }
            catch (OperationCanceledException)
            {
                return "{\"cancelled\":true}"u8.ToArray();
            }
        };

    private LocalInvocationPost[] PostsFor(string requestId) => _api.Posts.Where(p => p.RequestId == requestId).ToArray();

    [Fact]
    public async Task An_invocation_reaches_the_handler_with_its_context_and_the_response_is_posted()
    {
        ILambdaContext? seen = null;
        string? payload = null;
        var loop = Run((invocation, _) =>
        {
            seen = invocation.LambdaContext;
            payload = Encoding.UTF8.GetString(invocation.Payload.Span);
            return Task.FromResult("{\"ok\":true}"u8.ToArray());
        });

        var result = await _api.InvokeAsync("{\"Records\":[]}", TimeSpan.FromSeconds(30), "Root=1-abc-def;Sampled=1").WaitAsync(Wait);

        Assert.Equal(LocalInvocationStatus.Response, result.Status);
        Assert.Equal("{\"ok\":true}", result.Body);
        Assert.Equal("{\"Records\":[]}", payload);
        Assert.Equal(result.RequestId, seen!.AwsRequestId);
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:ecr-replicator", seen.InvokedFunctionArn);
        Assert.Equal(_time.GetUtcNow().AddSeconds(30), seen.Deadline);
        Assert.Equal(TimeSpan.FromSeconds(30), seen.RemainingTime);
        Assert.Equal("Root=1-abc-def;Sampled=1", seen.TraceId);
        Assert.Equal("Root=1-abc-def;Sampled=1", _environment.GetEnvironmentVariable(LambdaBootstrap.TraceIdVariable));
        Assert.False(loop.IsCompleted);
    }

    [Fact]
    public async Task The_trace_id_variable_follows_each_invocation()
    {
        _ = Run((_, _) => Task.FromResult(Array.Empty<byte>()));
        await _api.InvokeAsync("{}", TimeSpan.FromSeconds(30), "Root=first").WaitAsync(Wait);
        await _api.InvokeAsync("{}", TimeSpan.FromSeconds(30), "Root=second").WaitAsync(Wait);
        Assert.Equal(["Root=first", "Root=second"], _environment.Writes.Where(w => w.Name == LambdaBootstrap.TraceIdVariable).Select(w => w.Value));
    }

    [Fact]
    public async Task A_handler_exception_is_posted_as_an_invocation_error_and_the_loop_goes_on()
    {
        var calls = 0;
        var loop = Run((_, _) => ++calls == 1
            ? throw new InvalidOperationException("handler broke")
            : Task.FromResult("{}"u8.ToArray()));

        var failed = await _api.InvokeAsync("{}", TimeSpan.FromSeconds(30)).WaitAsync(Wait);
        var next = await _api.InvokeAsync("{}", TimeSpan.FromSeconds(30)).WaitAsync(Wait);

        Assert.Equal(LocalInvocationStatus.InvocationError, failed.Status);
        Assert.Equal(nameof(InvalidOperationException), failed.ErrorType);
        var error = JsonDocument.Parse(failed.Body).RootElement;
        Assert.Equal("handler broke", error.GetProperty("errorMessage").GetString());
        Assert.Equal(nameof(InvalidOperationException), error.GetProperty("errorType").GetString());
        Assert.Equal(JsonValueKind.Array, error.GetProperty("stackTrace").ValueKind);
        Assert.Equal(LocalInvocationStatus.Response, next.Status);
        Assert.False(loop.IsCompleted);
    }

    /// <summary>
    /// Lambda answers 410 Gone to a post for an invocation it already ended at its timeout: the error of a handler that
    /// failed too late is logged, and the loop serves the next invocation instead of exiting.
    /// </summary>
    [Theory]
    [InlineData(410)]
    [InlineData(400)]
    public async Task A_handler_error_the_runtime_api_refuses_is_logged_and_the_loop_serves_the_next_invocation(int status)
    {
        _api.RefuseErrors(status);
        var calls = 0;
        var loop = Run((_, _) => ++calls == 1
            ? throw new InvalidOperationException("handler broke too late")
            : Task.FromResult("{}"u8.ToArray()));

        var lost = _api.InvokeAsync("{}", TimeSpan.FromSeconds(30));
        var next = await _api.InvokeAsync("{}", TimeSpan.FromSeconds(30)).WaitAsync(Wait);

        Assert.Equal(LocalInvocationStatus.Response, next.Status);
        Assert.False(lost.IsCompleted);
        var lostId = _api.Posts.First().RequestId;
        Assert.Equal([new(lostId, LocalInvocationStatus.InvocationError, status)], PostsFor(lostId));
        var warning = Assert.Single(_warnings);
        Assert.Equal(lostId, warning.RequestId);
        Assert.Contains($"HTTP {status}", warning.Message, StringComparison.Ordinal);
        Assert.False(loop.IsCompleted);
    }

    [Theory]
    [InlineData(413)]
    [InlineData(400)]
    public async Task A_response_the_runtime_api_refuses_is_posted_once_as_an_invocation_error_and_the_loop_goes_on(int status)
    {
        _api.RefuseResponses(status);
        var loop = Run((_, _) => Task.FromResult("{\"too\":\"big\"}"u8.ToArray()));

        var refused = await _api.InvokeAsync("{}", TimeSpan.FromSeconds(30)).WaitAsync(Wait);
        var next = await _api.InvokeAsync("{}", TimeSpan.FromSeconds(30)).WaitAsync(Wait);

        Assert.Equal(LocalInvocationStatus.InvocationError, refused.Status);
        Assert.Equal(LambdaBootstrap.ResponseRefusedErrorType, refused.ErrorType);
        Assert.Equal(LambdaBootstrap.ResponseRefusedErrorType, JsonDocument.Parse(refused.Body).RootElement.GetProperty("errorType").GetString());
        Assert.Equal(
            [new(refused.RequestId, LocalInvocationStatus.Response, status), new(refused.RequestId, LocalInvocationStatus.InvocationError, 202)],
            PostsFor(refused.RequestId));
        Assert.Equal(LocalInvocationStatus.Response, next.Status);
        Assert.Equal("{\"too\":\"big\"}", next.Body);
        var warning = Assert.Single(_warnings);
        Assert.Equal(refused.RequestId, warning.RequestId);
        Assert.Contains($"HTTP {status}", warning.Message, StringComparison.Ordinal);
        Assert.False(loop.IsCompleted);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(410)]
    public async Task A_refused_response_whose_error_post_is_refused_too_is_logged_and_the_loop_serves_the_next_invocation(int errorStatus)
    {
        _api.RefuseResponses(PayloadTooLarge);
        _api.RefuseErrors(errorStatus);
        var loop = Run((_, _) => Task.FromResult("{}"u8.ToArray()));

        // The first invocation never ends here: Lambda would end it at its timeout.
        var lost = _api.InvokeAsync("{}", TimeSpan.FromSeconds(30));
        var next = await _api.InvokeAsync("{}", TimeSpan.FromSeconds(30)).WaitAsync(Wait);

        Assert.Equal(LocalInvocationStatus.Response, next.Status);
        Assert.False(lost.IsCompleted);
        var lostId = _api.Posts.First().RequestId;
        Assert.NotEqual(next.RequestId, lostId);
        Assert.Equal(
            [new(lostId, LocalInvocationStatus.Response, PayloadTooLarge), new(lostId, LocalInvocationStatus.InvocationError, errorStatus)],
            PostsFor(lostId));
        Assert.Equal(2, _warnings.Count);
        Assert.All(_warnings, w => Assert.Equal(lostId, w.RequestId));
        Assert.Contains($"HTTP {errorStatus}", _warnings.Last().Message, StringComparison.Ordinal);
        Assert.All(_warnings, w => Assert.DoesNotContain(_api.Address, w.Message, StringComparison.Ordinal));
        Assert.False(loop.IsCompleted);
    }

    [Fact]
    public async Task A_container_error_on_the_response_ends_the_loop_without_asking_for_another_invocation()
    {
        _api.RefuseResponses(500);
        var loop = Run((_, _) => Task.FromResult("{}"u8.ToArray()));
        _ = _api.InvokeAsync("{}", TimeSpan.FromSeconds(30));
        _ = _api.InvokeAsync("{}", TimeSpan.FromSeconds(30));

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => loop.WaitAsync(Wait));

        Assert.Equal(HttpStatusCode.InternalServerError, failure.StatusCode);
        Assert.Equal(1, _api.NextRequests);
        Assert.DoesNotContain(_api.Posts, p => p.Kind == LocalInvocationStatus.InvocationError);
        Assert.Empty(_warnings);
    }

    [Fact]
    public async Task A_container_error_on_the_error_post_after_a_refused_response_ends_the_loop()
    {
        _api.RefuseResponses(PayloadTooLarge);
        _api.RefuseErrors(500);
        var loop = Run((_, _) => Task.FromResult("{}"u8.ToArray()));
        _ = _api.InvokeAsync("{}", TimeSpan.FromSeconds(30));
        _ = _api.InvokeAsync("{}", TimeSpan.FromSeconds(30));

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => loop.WaitAsync(Wait));

        Assert.Equal(HttpStatusCode.InternalServerError, failure.StatusCode);
        Assert.Equal(1, _api.NextRequests);
        var warning = Assert.Single(_warnings);
        Assert.Contains($"HTTP {PayloadTooLarge}", warning.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Real Lambda always sends Lambda-Runtime-Deadline-Ms; an emulator that leaves it out (or sends something else)
    /// must not read as "no time left", which would cancel every handler at once and give back every record.
    /// </summary>
    [Theory]
    [InlineData(null)]
    [InlineData("soon")]
    [InlineData("99999999999999999")]
    [InlineData("253402300799999")] // 9999-12-31, an emulator's "never": a timer that long cannot be set
    [InlineData("1900000000000")] // 2030, decades after the test clock's start
    [InlineData("0")] // the Unix epoch: an emulator's "unset", not a deadline long passed
    public async Task An_invocation_without_a_usable_deadline_gets_the_fallback_budget_and_a_warning(string? header)
    {
        _api.DeadlineHeader = _ => header;
        var budget = TimeSpan.FromSeconds(40);
        var seen = Seen();
        _ = new LambdaBootstrap(_client, WaitsForItsToken(seen), _environment, _time) { RuntimeApiWarning = Warn, MissingDeadlineBudget = budget }
            .RunAsync(_stop.Token);

        var invocation = _api.InvokeAsync("{}", TimeSpan.FromSeconds(900));
        var (context, token) = await seen.Task.WaitAsync(Wait);

        Assert.Equal(_time.GetUtcNow() + budget, context.Deadline);
        Assert.False(token.IsCancellationRequested, "a missing deadline read as one already passed");
        var warning = Assert.Single(_warnings);
        Assert.Contains(RuntimeApiClient.DeadlineHeader, warning.Message, StringComparison.Ordinal);
        _time.Advance(budget - TimeSpan.FromSeconds(1));
        Assert.False(token.IsCancellationRequested, "cancelled too early");
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("{\"cancelled\":true}", (await invocation.WaitAsync(Wait)).Body);
    }

    [Fact]
    public async Task A_configuration_error_at_init_is_posted_as_config_invalid_and_ends_the_loop_with_a_failure_code()
    {
        var exitCode = await Run(
            (_, _) => throw new InvalidOperationException("never called"),
            _ => throw new ConfigurationException("DESTINATION_REGIONS", "is required")).WaitAsync(Wait);

        Assert.Equal(1, exitCode);
        var init = await _api.InitError.WaitAsync(Wait);
        Assert.Equal(RuntimeErrorTypes.ConfigInvalid, init.ErrorType);
        var error = JsonDocument.Parse(init.Body).RootElement;
        Assert.Equal(RuntimeErrorTypes.ConfigInvalid, error.GetProperty("errorType").GetString());
        Assert.Contains("DESTINATION_REGIONS", error.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_init_failure_is_posted_with_its_type()
    {
        var exitCode = await Run((_, _) => Task.FromResult(Array.Empty<byte>()), _ => throw new FileNotFoundException("missing")).WaitAsync(Wait);
        Assert.Equal(1, exitCode);
        var init = await _api.InitError.WaitAsync(Wait);
        Assert.Equal(RuntimeErrorTypes.UnknownReason, init.ErrorType);
        Assert.Equal(nameof(FileNotFoundException), JsonDocument.Parse(init.Body).RootElement.GetProperty("errorType").GetString());
    }

    [Fact]
    public async Task An_init_error_the_runtime_api_does_not_take_still_ends_the_loop_with_a_failure_code()
    {
        var api = new Mock<IRuntimeApiClient>(MockBehavior.Strict);
        api.Setup(a => a.ReportInitializationErrorAsync(It.IsAny<RuntimeError>(), RuntimeErrorTypes.UnknownReason, It.IsAny<CancellationToken>()))
            .ThrowsAsync(new HttpRequestException("refused", null, HttpStatusCode.InternalServerError));
        LambdaBootstrapInitializer failing = _ => throw new FileNotFoundException("missing");

        var exitCode = await new LambdaBootstrap(api.Object, failing, _environment, _time).RunAsync(_stop.Token).WaitAsync(Wait);

        Assert.Equal(1, exitCode);
        api.Verify(a => a.ReportInitializationErrorAsync(It.IsAny<RuntimeError>(), RuntimeErrorTypes.UnknownReason, It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task A_cancellation_the_loop_did_not_ask_for_at_init_is_posted_as_an_init_error()
    {
        // An HTTP client's timeout during init surfaces as a TaskCanceledException while the loop's token is not cancelled.
        var exitCode = await Run((_, _) => Task.FromResult(Array.Empty<byte>()), _ => throw new TaskCanceledException("timed out")).WaitAsync(Wait);

        Assert.Equal(1, exitCode);
        var init = await _api.InitError.WaitAsync(Wait);
        Assert.Equal(nameof(TaskCanceledException), JsonDocument.Parse(init.Body).RootElement.GetProperty("errorType").GetString());
    }

    [Fact]
    public async Task Stopping_the_loop_while_it_waits_for_the_next_invocation_returns_zero()
    {
        var loop = Run((_, _) => Task.FromResult(Array.Empty<byte>()));
        await _api.InvokeAsync("{}", TimeSpan.FromSeconds(30)).WaitAsync(Wait);
        await _stop.CancelAsync();
        Assert.Equal(0, await loop.WaitAsync(Wait));
    }

    [Fact]
    public async Task Stopping_the_loop_during_an_invocation_returns_zero()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var loop = Run(async (_, token) =>
        {
            entered.SetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, _stop.Token);
            return [];
        });
        _ = _api.InvokeAsync("{}", TimeSpan.FromSeconds(30));
        await entered.Task.WaitAsync(Wait);
        await _stop.CancelAsync();
        Assert.Equal(0, await loop.WaitAsync(Wait));
    }

    /// <summary>
    /// Stopped while a handler fails with its own exception (not a cancellation): the loop ends with 0, and the exception,
    /// whose message may hold what the redactor would have masked, does not escape to the runtime's unhandled-exception
    /// printer.
    /// </summary>
    [Fact]
    public async Task Stopping_the_loop_while_the_handler_fails_returns_zero_and_lets_nothing_escape()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var loop = Run(async (_, _) =>
        {
            entered.SetResult();
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, _stop.Token);
            }
            catch (OperationCanceledException)
            {
            }

            throw new InvalidOperationException("failed on the way out: X-Amz-Security-Token=secret");
        });
        var invocation = _api.InvokeAsync("{}", TimeSpan.FromSeconds(30));
        await entered.Task.WaitAsync(Wait);
        await _stop.CancelAsync();

        Assert.Equal(0, await loop.WaitAsync(Wait));
        Assert.False(invocation.IsCompleted);
    }

    /// <summary>
    /// Only a deadline more than a day ahead is an emulator's "never"; one exactly a day ahead is still a time to keep
    /// (Lambda's own are at most 15 minutes away), and gets no warning.
    /// </summary>
    [Fact]
    public async Task A_deadline_exactly_one_day_ahead_is_kept()
    {
        var deadline = _time.GetUtcNow() + TimeSpan.FromDays(1);
        _api.DeadlineHeader = _ => deadline.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var seen = Seen();
        _ = new LambdaBootstrap(_client, WaitsForItsToken(seen), _environment, _time) { RuntimeApiWarning = Warn, MissingDeadlineBudget = TimeSpan.FromSeconds(40) }
            .RunAsync(_stop.Token);

        var invocation = _api.InvokeAsync("{}", TimeSpan.FromSeconds(900));
        var (context, token) = await seen.Task.WaitAsync(Wait);

        Assert.Equal(deadline, context.Deadline);
        Assert.Empty(_warnings);
        _time.Advance(TimeSpan.FromDays(1));
        Assert.True(token.IsCancellationRequested);
        Assert.Equal("{\"cancelled\":true}", (await invocation.WaitAsync(Wait)).Body);
    }

    /// <summary>
    /// The handler's token fires <see cref="LambdaBootstrap.ResponseReserve"/> (500 ms by default) before the deadline:
    /// not earlier, which would cut the handler's work short, and not later, which would leave the partial answer less
    /// time to reach the Runtime API than the reserve promises.
    /// </summary>
    [Fact]
    public async Task The_handler_token_fires_exactly_the_response_reserve_before_the_deadline()
    {
        var seen = Seen();
        _ = Run(WaitsForItsToken(seen));

        var invocation = _api.InvokeAsync("{}", TimeSpan.FromSeconds(10));
        var (_, token) = await seen.Task.WaitAsync(Wait);
        _time.Advance(TimeSpan.FromMilliseconds(9_499));
        Assert.False(token.IsCancellationRequested, "cancelled more than 500 ms before the deadline");
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(token.IsCancellationRequested, "not cancelled 500 ms before the deadline");
        Assert.Equal("{\"cancelled\":true}", (await invocation.WaitAsync(Wait)).Body);
    }

    /// <summary>An invocation that arrives with less time left than the reserve starts with its token cancelled: it gets no extra time past the reserve.</summary>
    [Fact]
    public async Task An_invocation_with_less_time_left_than_the_reserve_starts_with_its_token_cancelled()
    {
        var seen = Seen();
        _ = Run(WaitsForItsToken(seen));

        var invocation = _api.InvokeAsync("{}", TimeSpan.FromMilliseconds(300));
        var (context, token) = await seen.Task.WaitAsync(Wait);

        Assert.Equal(TimeSpan.FromMilliseconds(300), context.RemainingTime);
        Assert.True(token.IsCancellationRequested);
        Assert.Equal("{\"cancelled\":true}", (await invocation.WaitAsync(Wait)).Body);
    }

    /// <summary>
    /// Stopping the loop (Ctrl+C under a local host) cancels the running handler's own token, so it stops its work and
    /// gives back its records, instead of running on to the deadline.
    /// </summary>
    [Fact]
    public async Task Stopping_the_loop_cancels_the_token_of_the_running_handler()
    {
        var seen = Seen();
        var loop = Run(WaitsForItsToken(seen));
        _ = _api.InvokeAsync("{}", TimeSpan.FromSeconds(30));
        var (_, token) = await seen.Task.WaitAsync(Wait);
        Assert.False(token.IsCancellationRequested);

        await _stop.CancelAsync();

        Assert.True(token.IsCancellationRequested, "the handler was not told the loop stopped");
        Assert.Equal(0, await loop.WaitAsync(Wait));
    }

    /// <summary>The fallback budget of an invocation without a usable deadline is one minute unless the host sets another.</summary>
    [Fact]
    public async Task Without_a_deadline_an_invocation_gets_one_minute_by_default()
    {
        _api.DeadlineHeader = _ => null;
        var seen = Seen();
        _ = Run(WaitsForItsToken(seen));

        _ = _api.InvokeAsync("{}", TimeSpan.FromSeconds(900));
        var (context, _) = await seen.Task.WaitAsync(Wait);

        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromMinutes(1), context.Deadline);
    }

    /// <summary>
    /// Only the loop's own stop ends it quietly with 0: GET next cancelled by anything else (a connection torn down under
    /// it) ends the loop with that exception, as every other failure of GET next does.
    /// </summary>
    [Fact]
    public async Task A_cancellation_of_GET_next_the_loop_did_not_ask_for_ends_the_loop_with_it()
    {
        var api = new Mock<IRuntimeApiClient>(MockBehavior.Strict);
        api.Setup(a => a.GetNextInvocationAsync(It.IsAny<CancellationToken>())).ThrowsAsync(new TaskCanceledException("the connection was torn down"));
        LambdaBootstrapHandler handler = (_, _) => Task.FromResult(Array.Empty<byte>());

        var loop = new LambdaBootstrap(api.Object, handler, _environment, _time).RunAsync(_stop.Token);

        await Assert.ThrowsAsync<TaskCanceledException>(() => loop.WaitAsync(Wait));
    }

    /// <summary>
    /// GET next answered 500 (a container error: "Non-recoverable state. Runtime should exit promptly", the Runtime
    /// API's OpenAPI file linked from https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html), or not answered
    /// at all: the loop ends with that exception after the one call, so the process exits and Lambda replaces the
    /// environment. A loop that retried would spin on a dead endpoint and never answer; the handler is never called.
    /// </summary>
    [Theory]
    [InlineData(500)]
    [InlineData(null)]
    public async Task A_GET_next_that_fails_with_a_container_error_or_no_answer_ends_the_loop_after_one_call(int? status)
    {
        var failure = status is { } code
            ? new HttpRequestException("container error", null, (HttpStatusCode)code)
            : new HttpRequestException(HttpRequestError.ConnectionError, "connection refused");
        // The first call fails; a second one, which a retrying loop would make, waits until the loop is stopped, so such
        // a regression fails this test on its timeout instead of spinning the test host.
        var calls = 0;
        var api = new Mock<IRuntimeApiClient>(MockBehavior.Strict);
        api.Setup(a => a.GetNextInvocationAsync(It.IsAny<CancellationToken>()))
            .Returns((CancellationToken token) => Interlocked.Increment(ref calls) == 1
                ? Task.FromException<RuntimeInvocation>(failure)
                : Task.Delay(Timeout.InfiniteTimeSpan, token).ContinueWith<RuntimeInvocation>(_ => throw new OperationCanceledException(token), TaskScheduler.Default));
        var handled = 0;
        LambdaBootstrapHandler handler = (_, _) =>
        {
            Interlocked.Increment(ref handled);
            return Task.FromResult(Array.Empty<byte>());
        };

        var loop = new LambdaBootstrap(api.Object, handler, _environment, _time).RunAsync(_stop.Token);

        Assert.Same(failure, await Assert.ThrowsAsync<HttpRequestException>(() => loop.WaitAsync(Wait)));
        Assert.Equal(1, calls);
        Assert.Equal(0, handled);
    }

    /// <summary>
    /// A handler's exception message can carry a presigned URL or a key, and the Runtime API forwards the invocation
    /// error to CloudWatch: the posted errorMessage went through the redactor.
    /// </summary>
    [Fact]
    public async Task The_posted_invocation_error_message_is_redacted()
    {
        const string Secret = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEYzz";
        _ = Run((_, _) => throw new InvalidOperationException($"GET https://layers.s3.amazonaws.com/blob?X-Amz-Security-Token={Secret} failed"));

        var failed = await _api.InvokeAsync("{}", TimeSpan.FromSeconds(30)).WaitAsync(Wait);

        var message = JsonDocument.Parse(failed.Body).RootElement.GetProperty("errorMessage").GetString()!;
        Assert.DoesNotContain(Secret, message, StringComparison.Ordinal);
        Assert.Contains("failed", message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The stack lines are posted trimmed, without empty lines, and each through the redactor: a frame can show an
    /// argument or a URL as well as a message can.
    /// </summary>
    [Fact]
    public void Each_stack_line_of_a_runtime_error_is_trimmed_and_redacted()
    {
        const string Secret = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEYzz";
        var frame = $"at Fetch(https://layers.s3.amazonaws.com/blob?X-Amz-Security-Token={Secret})";

        var error = LambdaBootstrap.ToRuntimeError(new StackException($"   at Replicator.Start()\r\n\n   {frame}\n"), "Boom");

        Assert.Equal(["at Replicator.Start()", Redactor.Redact(frame)], error.StackTrace);
        Assert.DoesNotContain(error.StackTrace, line => line.Contains(Secret, StringComparison.Ordinal));
    }

    /// <summary>An exception whose stack trace is given, as a frame naming a URL would print it.</summary>
    private sealed class StackException(string stackTrace) : Exception("boom")
    {
        public override string StackTrace => stackTrace;
    }
}
