using LocalLambdaHost;
using Replicator.Testing;

namespace Replicator.Function.Tests.Support;

/// <summary>
/// The base of tests that start <see cref="FunctionHost"/> as Lambda would, against a loopback Runtime API on a free
/// port, with a stand-in engine, to see what its init does with an environment: the Runtime API, the host's output and
/// the stop of the host's loop, set up and torn down once per test.
/// </summary>
public abstract class FunctionHostInitTests : IAsyncLifetime
{
    protected static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _stop = new();

    /// <summary>What the host wrote: its log lines.</summary>
    protected StringWriter Output { get; } = new();

    protected LocalRuntimeApi Api { get; private set; } = null!;

    public async Task InitializeAsync() => Api = await LocalRuntimeApi.StartAsync();

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await Api.DisposeAsync();
        _stop.Dispose();
    }

    /// <summary>Runs the host with <paramref name="environment"/> and this test's Runtime API address; its exit code.</summary>
    protected Task<int> RunHostAsync(Dictionary<string, string?> environment)
    {
        environment["AWS_LAMBDA_RUNTIME_API"] = Api.Address;
        return new FunctionHost
        {
            Environment = new DictionaryEnvironmentVariables(environment),
            Output = Output,
            ReplicatorFactory = (_, _) => new FakeReplicator(),
        }.RunAsync(_stop.Token);
    }
}
