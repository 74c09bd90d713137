using System.Text;
using System.Text.Json;
using LocalLambdaHost;
using Microsoft.Extensions.Time.Testing;
using Replicator.Function.Configuration;
using Replicator.Function.Runtime;
using Replicator.Function.Tests.Support;
using Replicator.Testing;

namespace Replicator.Function.Tests.Runtime;

/// <summary>The runtime loop against a real Runtime API on loopback (tools/LocalLambdaHost).</summary>
public sealed class LambdaBootstrapTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 4, 0, 0, TimeSpan.Zero));
    private readonly DictionaryEnvironmentVariables _environment = new();
    private readonly CancellationTokenSource _stop = new();
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
            ? new LambdaBootstrap(_client, handler, _environment, _time)
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
            }).RunAsync(_stop.Token);

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
        Assert.Equal(RuntimeErrorTypes.UnknownReason, failed.ErrorType);
        var error = JsonDocument.Parse(failed.Body).RootElement;
        Assert.Equal("handler broke", error.GetProperty("errorMessage").GetString());
        Assert.Equal(nameof(InvalidOperationException), error.GetProperty("errorType").GetString());
        Assert.Equal(JsonValueKind.Array, error.GetProperty("stackTrace").ValueKind);
        Assert.Equal(LocalInvocationStatus.Response, next.Status);
        Assert.False(loop.IsCompleted);
    }

    [Fact]
    public async Task The_deadline_cancels_the_handler_token_before_lambda_would_kill_it()
    {
        var tokenSeen = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = Run(async (_, token) =>
        {
            tokenSeen.SetResult(token);
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, token);
                return "{\"finished\":true}"u8.ToArray();
            }
            catch (OperationCanceledException)
            {
                return "{\"cancelled\":true}"u8.ToArray();
            }
        });

        var invocation = _api.InvokeAsync("{}", TimeSpan.FromSeconds(10));
        var token = await tokenSeen.Task.WaitAsync(Wait);
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(token.IsCancellationRequested, "cancelled too early");
        _time.Advance(TimeSpan.FromMilliseconds(600));

        var result = await invocation.WaitAsync(Wait);
        Assert.True(token.IsCancellationRequested);
        Assert.Equal("{\"cancelled\":true}", result.Body);
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
}
