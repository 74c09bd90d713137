using Microsoft.Extensions.Time.Testing;

namespace LocalEcr.Tests.Support;

/// <summary>A LocalEcr on a fake clock (restores and signings end when the test moves it) with an empty repository "app".</summary>
internal sealed class ClockedEcr(LocalEcrServer server, FakeTimeProvider time) : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    public LocalEcrServer Server { get; } = server;

    public FakeTimeProvider Time { get; } = time;

    public EcrTestClient Client { get; } = new(server) { Clock = time };

    /// <param name="configure">Sets further options (a restore's or a signing's duration) on the clock's options.</param>
    public static async Task<ClockedEcr> StartAsync(Action<LocalEcrOptions>? configure = null)
    {
        var time = new FakeTimeProvider(Start);
        var options = new LocalEcrOptions { TimeProvider = time };
        configure?.Invoke(options);
        var ecr = new ClockedEcr(await LocalEcrServer.StartAsync(options), time);
        await TestImages.CreateRepositoryAsync(ecr.Client, "app");
        return ecr;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
