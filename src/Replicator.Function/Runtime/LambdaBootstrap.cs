using System.Globalization;
using System.Net;
using Replicator.Core.Configuration;
using Replicator.Function.Observability;

namespace Replicator.Function.Runtime;

/// <summary>
/// The custom runtime loop, after Amazon.Lambda.RuntimeSupport's LambdaBootstrap: initialize once, then
/// next -> handle -> respond forever. A handler exception is posted as an invocation error and the loop goes on;
/// an init failure is posted to init/error and <see cref="RunAsync"/> returns a non-zero exit code. It knows
/// nothing of the app: the initializer returns the handler, the app logs its own failures, and the app maps its
/// init exceptions to error types (<see cref="InitErrorType"/>). One deliberate exception: every error it posts to
/// the Runtime API goes through <see cref="Redactor"/>, with no way to turn that off, because an exception message
/// can carry a presigned URL or a key and the Runtime API forwards it to CloudWatch. A swap to the official
/// RuntimeSupport loop, which posts exceptions as they are, would move that guard into the handler.
/// A response the Runtime API refuses (4xx) ends its invocation as an error and the loop goes on; a 5xx, or no
/// answer, from GET next or POST response ends the loop with that exception.
/// </summary>
public sealed class LambdaBootstrap
{
    public const string TraceIdVariable = "_X_AMZN_TRACE_ID";

    /// <summary>The errorType of the invocation error posted when the Runtime API refuses a response.</summary>
    public const string ResponseRefusedErrorType = "Runtime.ResponseRejected";

    private readonly IRuntimeApiClient _runtimeApi;
    private readonly LambdaBootstrapInitializer _initializer;
    private readonly IEnvironmentVariables _environment;
    private readonly TimeProvider _timeProvider;
    private LambdaBootstrapHandler? _handler;

    /// <summary>A loop over a handler that needs no initialization.</summary>
    public LambdaBootstrap(IRuntimeApiClient runtimeApi, LambdaBootstrapHandler handler, IEnvironmentVariables environment, TimeProvider timeProvider)
        : this(runtimeApi, _ => Task.FromResult(handler), environment, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(handler);
    }

    /// <summary>A loop whose handler the initializer builds once, before the first invocation.</summary>
    public LambdaBootstrap(IRuntimeApiClient runtimeApi, LambdaBootstrapInitializer initializer, IEnvironmentVariables environment, TimeProvider timeProvider)
    {
        _runtimeApi = runtimeApi ?? throw new ArgumentNullException(nameof(runtimeApi));
        _initializer = initializer ?? throw new ArgumentNullException(nameof(initializer));
        _environment = environment ?? throw new ArgumentNullException(nameof(environment));
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
    }

    /// <summary>
    /// The app's mapping of an init exception to the Lambda-Runtime-Function-Error-Type it posts (e.g.
    /// <see cref="RuntimeErrorTypes.ConfigInvalid"/>); null, or a null answer, posts Runtime.UnknownReason with the
    /// exception's type name.
    /// </summary>
    public Func<Exception, string?>? InitErrorType { get; init; }

    /// <summary>
    /// The handler's token fires this long before the deadline, so a cancelled handler still has time to
    /// return its partial answer before Lambda kills the invocation.
    /// </summary>
    public TimeSpan ResponseReserve { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The time an invocation gets when the Runtime API sends no usable Lambda-Runtime-Deadline-Ms (missing, not a
    /// number, beyond what a date can hold, or more than a day ahead). Real Lambda always sends it; a third-party
    /// emulator may not, and reading the gap as "no time left" would make every invocation give back all its records at
    /// once. One minute errs short on purpose: work stopped early is handed back and redelivered, while work running
    /// past Lambda's own timeout loses the invocation's answer.
    /// </summary>
    public TimeSpan MissingDeadlineBudget { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>A Lambda-Runtime-Deadline-Ms further ahead than this is not usable (see <see cref="MissingDeadlineBudget"/>).</summary>
    private static readonly TimeSpan MaxDeadlineAhead = TimeSpan.FromDays(1);

    /// <summary>
    /// Told of a Runtime API refusal the loop survives, with the invocation's request id and a one-line message (statuses
    /// and paths only, never a URL, payload or exception message), for the app to log; null drops it.
    /// </summary>
    public Action<string, string>? RuntimeApiWarning { get; init; }

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled (0) or initialization fails (1).</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        if (!await InitializeAsync(cancellationToken))
        {
            return 1;
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            RuntimeInvocation invocation;
            try
            {
                invocation = await _runtimeApi.GetNextInvocationAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            try
            {
                await InvokeOnceAsync(invocation, cancellationToken);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                // Stopped (Ctrl+C under a local host; Lambda itself never asks): whatever the invocation threw on its
                // way out ends the loop quietly. Let out, it would reach the runtime's unhandled-exception printer,
                // which writes its message unredacted; the handler has logged it already, redacted.
                break;
            }
        }

        return 0;
    }

    internal async Task InvokeOnceAsync(RuntimeInvocation invocation, CancellationToken cancellationToken)
    {
        // X-Ray and the AWS SDK read the trace header from this variable; it must describe this invocation only.
        _environment.SetEnvironmentVariable(TraceIdVariable, invocation.TraceId);
        var deadline = Deadline(invocation);
        var context = new LambdaContext(invocation.AwsRequestId, invocation.InvokedFunctionArn, deadline, invocation.TraceId, _timeProvider);
        var budget = context.RemainingTime - ResponseReserve;
        using var deadlineSource = new CancellationTokenSource(budget > TimeSpan.Zero ? budget : TimeSpan.Zero, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadlineSource.Token, cancellationToken);

        byte[] response;
        try
        {
            response = await _handler!(new InvocationRequest(invocation.Payload, context), linked.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                // The header carries the body's errorType, as Amazon.Lambda.RuntimeSupport sends it: the Runtime API
                // takes any string there (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html#runtimes-api-invokeerror).
                var error = ToRuntimeError(ex, ex.GetType().Name);
                await _runtimeApi.ReportInvocationErrorAsync(invocation.AwsRequestId, error, error.ErrorType, cancellationToken);
            }
            catch (HttpRequestException refusal) when (IsRefusal(refusal.StatusCode))
            {
                // A 4xx refuses this one post, not the environment: 410 Gone for an invocation Lambda already ended at
                // its timeout, which official runtimes log and go past (aws/aws-lambda-dotnet#2508,
                // awslabs/aws-lambda-rust-runtime#1159). A 5xx still leaves, as on the response.
                RuntimeApiWarning?.Invoke(invocation.AwsRequestId, $"The Runtime API refused the invocation error ({StatusText(refusal)}); going on with the next invocation");
            }

            return;
        }

        try
        {
            await _runtimeApi.SendResponseAsync(invocation.AwsRequestId, response, cancellationToken);
        }
        catch (HttpRequestException ex) when (IsRefusal(ex.StatusCode))
        {
            await ReportRefusedResponseAsync(invocation.AwsRequestId, ex, cancellationToken);
        }

        // Any other failure of the response post (5xx, no answer) leaves this method, and RunAsync, as a failing
        // GET next does: the Runtime API's 500 is a container error after which the runtime should exit promptly.
    }

    private DateTimeOffset Deadline(RuntimeInvocation invocation)
    {
        // Lambda's longest timeout is 15 minutes: a deadline more than a day ahead is an emulator's "never", not a time
        // to wait for, and a timer that long cannot even be set (CancellationTokenSource takes at most ~49.7 days, and
        // threw here, ending the loop without an answer).
        if (invocation.DeadlineMs is { } ms && ms > 0 && ms <= DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()
            && DateTimeOffset.FromUnixTimeMilliseconds(ms) is var deadline && deadline - _timeProvider.GetUtcNow() <= MaxDeadlineAhead)
        {
            return deadline;
        }

        RuntimeApiWarning?.Invoke(
            invocation.AwsRequestId,
            $"The Runtime API sent no usable {RuntimeApiClient.DeadlineHeader}; the invocation gets {MissingDeadlineBudget.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
        return _timeProvider.GetUtcNow() + MissingDeadlineBudget;
    }

    /// <summary>
    /// A 4xx answer to POST .../response refuses this one response, not the environment: the Runtime API answers 413
    /// to a response above the invocation payload limit and 400 to a malformed one
    /// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html, and the OpenAPI file it links). The
    /// invocation must still end, so it is reported once as an invocation error, and the loop goes on with the next.
    /// </summary>
    internal static bool IsRefusal(HttpStatusCode? status) => status is >= HttpStatusCode.BadRequest and < HttpStatusCode.InternalServerError;

    private async Task ReportRefusedResponseAsync(string awsRequestId, HttpRequestException refusal, CancellationToken cancellationToken)
    {
        RuntimeApiWarning?.Invoke(awsRequestId, $"The Runtime API refused the invocation's response ({StatusText(refusal)}); posting an invocation error instead");
        try
        {
            await _runtimeApi.ReportInvocationErrorAsync(awsRequestId, ToRuntimeError(refusal, ResponseRefusedErrorType), ResponseRefusedErrorType, cancellationToken);
        }
        catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested && IsRefusal(ex.StatusCode))
        {
            // Posted once, never retried. Without an error, Lambda ends this invocation at its timeout; the environment
            // may still serve the next one. A 5xx or no answer is not caught: a container error, after which the
            // runtime should exit promptly (Runtime API OpenAPI file), as on every other post.
            RuntimeApiWarning?.Invoke(awsRequestId, $"The Runtime API refused the invocation error too, on runtime/invocation/{{id}}/error ({StatusText(ex)}); going on with the next invocation");
        }
    }

    /// <summary>The status only (e.g. "HTTP 413"): an exception's message could name the host or a payload.</summary>
    private static string StatusText(HttpRequestException exception) =>
        exception.StatusCode is { } status ? $"HTTP {((int)status).ToString(CultureInfo.InvariantCulture)}" : $"no answer: {exception.HttpRequestError}";

    /// <summary>Builds a runtime error whose message and stack lines went through the redaction guard.</summary>
    internal static RuntimeError ToRuntimeError(Exception exception, string errorType)
    {
        var stack = (exception.StackTrace ?? string.Empty)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(Redactor.Redact)
            .ToArray();
        return new RuntimeError(Redactor.Redact(exception.Message), errorType, stack);
    }

    private async Task<bool> InitializeAsync(CancellationToken cancellationToken)
    {
        try
        {
            _handler = await _initializer(cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Every init failure is posted, a cancellation the loop did not ask for (an HTTP client's timeout) included,
            // as Amazon.Lambda.RuntimeSupport does: uncaught, it would crash the process with an unredacted stack on
            // stderr and Lambda would report only Runtime.ExitError.
            var mapped = InitErrorType?.Invoke(ex);
            try
            {
                await _runtimeApi.ReportInitializationErrorAsync(ToRuntimeError(ex, mapped ?? ex.GetType().Name), mapped ?? RuntimeErrorTypes.UnknownReason, cancellationToken);
            }
            catch (HttpRequestException)
            {
                // Refused or unanswered: the process exits with its failure code all the same (Lambda reports
                // Runtime.ExitError), rather than crashing on an unhandled exception; the app has logged the init error.
            }
        }

        return false;
    }
}
