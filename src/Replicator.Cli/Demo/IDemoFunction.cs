namespace Replicator.Cli.Demo;

/// <summary>
/// The function as the demo runs it: an SQS event in, the batch response and the function's output lines out.
/// The one seam between the demo and Replicator.Function.
/// </summary>
public interface IDemoFunction
{
    Task<DemoInvocation> InvokeAsync(string sqsEventJson, DemoWiring wiring, CancellationToken cancellationToken);
}
