using Replicator.Testing;

namespace Replicator.Function.Tests.Destinations;

/// <summary>One moto server (SSM) for the tests of a class: it takes seconds to start; each test uses its own parameter names.</summary>
public sealed class MotoFixture : IAsyncLifetime
{
    public MotoServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await MotoServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
