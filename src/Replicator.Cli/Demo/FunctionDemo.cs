using System.Text;
using Replicator.Core.Composition;
using Replicator.Core.Replication;
using Replicator.Core.Signing;
using Replicator.Function;
using Replicator.Function.Runtime;

namespace Replicator.Cli.Demo;

/// <summary>
/// Runs the real function in-process: its composition root (<see cref="FunctionHost"/>: configuration from the
/// given environment, logger, metrics, batch processor, handler) behind a one-invocation Runtime API, so the demo
/// exercises exactly what Lambda runs, minus the HTTP hop to the Runtime API.
/// </summary>
public sealed class FunctionDemo(IAwsCredentialsSource credentials) : IDemoFunction
{
    /// <summary>The demo's invocation budget; it takes a second or two.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public async Task<DemoInvocation> InvokeAsync(string sqsEventJson, DemoWiring wiring, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(wiring);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var deadline = wiring.Time.GetUtcNow() + Timeout;
        var runtime = new OneInvocationRuntimeApi(
            new RuntimeInvocation("demo-request-1", deadline.ToUnixTimeMilliseconds(), "arn:aws:lambda:us-east-1:000000000000:function:ecr-replicator", null, Encoding.UTF8.GetBytes(sqsEventJson)),
            stop);
        using var output = new StringWriter();
        var host = new FunctionHost
        {
            Environment = wiring.Environment,
            Output = output,
            TimeProvider = wiring.Time,
            RuntimeApi = runtime,
            MessageVisibilityFactory = _ => new NoQueueVisibility(),
            ReplicatorFactory = (config, observer) => ReplicatorServices.Create(
                wiring.Environment, config.ToReplicatorOptions(), credentials, observer, time: wiring.Time, access: config.Access, homeRegion: config.Region, trustedRoots: config.TrustedRoots),
        };

        await host.RunAsync(stop.Token);

        // A stop (Ctrl+C) ends the runtime loop without an answer, as it should (the loop breaks on its token): that is
        // the command's cancellation, reported as such by CliApp, not a function that failed to answer.
        if (runtime.Response is null)
        {
            cancellationToken.ThrowIfCancellationRequested();
        }

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return runtime.Response is { } response
            ? new DemoInvocation(Encoding.UTF8.GetString(response), lines)
            : throw new InvalidOperationException($"the function did not answer: {runtime.Error ?? "no response"}");
    }
}
