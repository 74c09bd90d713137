using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LocalLambdaHost;

/// <summary>
/// The Lambda Runtime API (2018-06-01) on loopback, for running a custom runtime bootstrap without Lambda or
/// Docker: <see cref="InvokeAsync"/> queues an event, the bootstrap takes it with GET next, and its response,
/// invocation error or init error completes the returned task. Binds 127.0.0.1 on a free port.
/// </summary>
public sealed class LocalRuntimeApi : IAsyncDisposable
{
    private const string Prefix = "/2018-06-01/runtime";
    private readonly WebApplication _app;
    private readonly TimeProvider _time;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>();
    private readonly ConcurrentDictionary<string, Pending> _inFlight = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<LocalInvocationResult> _initError = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<int> _responseRefusals = new();
    private readonly ConcurrentQueue<int> _errorRefusals = new();
    private int _sequence;
    private int _nextRequests;

    private LocalRuntimeApi(WebApplication app, TimeProvider time)
    {
        _app = app;
        _time = time;
    }

    /// <summary>host:port, the value for AWS_LAMBDA_RUNTIME_API.</summary>
    public string Address { get; private set; } = string.Empty;

    /// <summary>Completes when the bootstrap posts init/error.</summary>
    public Task<LocalInvocationResult> InitError => _initError.Task;

    /// <summary>The Lambda-Runtime-Function-Error-Type headers and paths of every error posted, in order (for tests).</summary>
    public ConcurrentQueue<string> Log { get; } = new();

    /// <summary>Every POST to an invocation's response or error path, with the status it was answered, in order.</summary>
    public ConcurrentQueue<LocalInvocationPost> Posts { get; } = new();

    /// <summary>How many GET next requests have arrived, answered or still waiting.</summary>
    public int NextRequests => Volatile.Read(ref _nextRequests);

    /// <summary>
    /// Answers the next <paramref name="times"/> POST .../response with <paramref name="statusCode"/> and an error body
    /// instead of 202 (as Lambda answers 413 for a response above its payload limit, or 500 when the environment is
    /// broken). The invocation stays open, so an error post can still end it.
    /// </summary>
    public void RefuseResponses(int statusCode, int times = 1) => Enqueue(_responseRefusals, statusCode, times);

    /// <summary>
    /// The Lambda-Runtime-Deadline-Ms value sent for a deadline (Unix milliseconds); null leaves the header out, as a
    /// runtime emulator that does not send it would. By default, the deadline as Lambda sends it.
    /// </summary>
    public Func<long, string?> DeadlineHeader { get; set; } = static ms => ms.ToString(CultureInfo.InvariantCulture);

    /// <summary>Answers the next <paramref name="times"/> POST .../error with <paramref name="statusCode"/>; the invocation stays open.</summary>
    public void RefuseErrors(int statusCode, int times = 1) => Enqueue(_errorRefusals, statusCode, times);

    public static async Task<LocalRuntimeApi> StartAsync(TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var api = new LocalRuntimeApi(app, timeProvider ?? TimeProvider.System);
        api.Map();
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        api.Address = new Uri(address).Authority;
        return api;
    }

    /// <summary>Queues one invocation and waits for its end (or an init error).</summary>
    public async Task<LocalInvocationResult> InvokeAsync(string payload, TimeSpan timeout, string? traceId = null, CancellationToken cancellationToken = default)
    {
        var id = $"local-{Interlocked.Increment(ref _sequence).ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}";
        var pending = new Pending(id, payload, timeout, traceId ?? $"Root=1-00000000-{id[^24..]};Sampled=0");
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        var finished = await Task.WhenAny(pending.Result.Task, _initError.Task).WaitAsync(cancellationToken);
        return await finished;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private void Map()
    {
        _app.MapGet($"{Prefix}/invocation/next", NextAsync);
        _app.MapPost($"{Prefix}/invocation/{{id}}/response", (string id, HttpRequest request) => CompleteAsync(id, request, LocalInvocationStatus.Response));
        _app.MapPost($"{Prefix}/invocation/{{id}}/error", (string id, HttpRequest request) => CompleteAsync(id, request, LocalInvocationStatus.InvocationError));
        _app.MapPost($"{Prefix}/init/error", InitErrorAsync);
    }

    private async Task NextAsync(HttpContext context)
    {
        Interlocked.Increment(ref _nextRequests);
        Pending pending;
        try
        {
            pending = await _queue.Reader.ReadAsync(context.RequestAborted);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        _inFlight[pending.Id] = pending;
        var deadline = _time.GetUtcNow().Add(pending.Timeout).ToUnixTimeMilliseconds();
        var headers = context.Response.Headers;
        headers["Lambda-Runtime-Aws-Request-Id"] = pending.Id;
        if (DeadlineHeader(deadline) is { } deadlineValue)
        {
            headers["Lambda-Runtime-Deadline-Ms"] = deadlineValue;
        }

        headers["Lambda-Runtime-Invoked-Function-Arn"] = "arn:aws:lambda:us-east-1:000000000000:function:ecr-replicator";
        headers["Lambda-Runtime-Trace-Id"] = pending.TraceId;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(pending.Payload, context.RequestAborted);
    }

    private static void Enqueue(ConcurrentQueue<int> refusals, int statusCode, int times)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        for (var i = 0; i < times; i++)
        {
            refusals.Enqueue(statusCode);
        }
    }

    private async Task<IResult> CompleteAsync(string id, HttpRequest request, LocalInvocationStatus status)
    {
        var body = await ReadAsync(request);
        var refusals = status == LocalInvocationStatus.Response ? _responseRefusals : _errorRefusals;
        if (_inFlight.ContainsKey(id) && refusals.TryDequeue(out var refused))
        {
            Posts.Enqueue(new LocalInvocationPost(id, status, refused));
            Log.Enqueue($"{status} {id} refused {refused.ToString(CultureInfo.InvariantCulture)}");
            return Results.Text(
                $"{{\"errorMessage\":\"refused by the test\",\"errorType\":\"Http{refused.ToString(CultureInfo.InvariantCulture)}\"}}",
                "application/json",
                statusCode: refused);
        }

        if (!_inFlight.TryRemove(id, out var pending))
        {
            Posts.Enqueue(new LocalInvocationPost(id, status, StatusCodes.Status404NotFound));
            return Results.NotFound();
        }

        Posts.Enqueue(new LocalInvocationPost(id, status, StatusCodes.Status202Accepted));
        var errorType = request.Headers["Lambda-Runtime-Function-Error-Type"].FirstOrDefault();
        Log.Enqueue($"{status} {id} {errorType}");
        pending.Result.TrySetResult(new LocalInvocationResult(id, status, body, errorType));
        return Results.Accepted();
    }

    private async Task<IResult> InitErrorAsync(HttpRequest request)
    {
        var body = await ReadAsync(request);
        var errorType = request.Headers["Lambda-Runtime-Function-Error-Type"].FirstOrDefault();
        Log.Enqueue($"{LocalInvocationStatus.InitError} {errorType}");
        _initError.TrySetResult(new LocalInvocationResult(string.Empty, LocalInvocationStatus.InitError, body, errorType));
        return Results.Accepted();
    }

    private static async Task<string> ReadAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body);
        return await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
    }

    private sealed record Pending(string Id, string Payload, TimeSpan Timeout, string TraceId)
    {
        public TaskCompletionSource<LocalInvocationResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
