using System.Net;
using System.Text.RegularExpressions;
using LocalEcr.Api;
using LocalEcr.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace LocalEcr;

/// <summary>
/// A running LocalEcr: an ECR-compatible endpoint on its own Kestrel listener. Many can run in one
/// process, each with its own port, state and data directory.
/// </summary>
public sealed partial class LocalEcrServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ServerContext _context;
    private readonly string? _ownedDirectory;
    private int _disposed;

    private LocalEcrServer(WebApplication app, ServerContext context, string? ownedDirectory)
    {
        _app = app;
        _context = context;
        _ownedDirectory = ownedDirectory;
    }

    /// <summary>For example http://127.0.0.1:41234/ (with the trailing slash).</summary>
    public Uri BaseAddress => _context.BaseAddress;

    public string AccountId => _context.AccountId;

    public FaultInjector Faults => _context.Faults;

    public CallLog Calls => _context.Calls;

    /// <summary>For LocalEcr's own tests: the data directory's room for bytes, which a test limits to fill it up.</summary>
    internal Storage.DiskSpace DataDirectorySpace => _context.Blobs.Space;

    /// <summary>
    /// Completes when no request is being handled: after a client cancelled its calls, what they sent has been
    /// committed or dropped by then. A request counts from when Kestrel hands it to LocalEcr: one whose bytes are
    /// still on their way in is not waited for (a test that must know nothing is: <see cref="WatchConnections"/>).
    /// </summary>
    public Task WhenIdleAsync(CancellationToken cancellationToken = default) => _context.Active.WhenIdleAsync(cancellationToken);

    /// <summary>
    /// Notes, until disposed, the connections LocalEcr finishes: a test that closed a client (every call it cancelled
    /// included) waits with <see cref="ConnectionWatch.WhenFinishedAsync"/> until LocalEcr has finished every
    /// connection that client opened, and then nothing the client sent is still on its way in.
    /// </summary>
    public ConnectionWatch WatchConnections() => _context.Connections.Watch();

    /// <summary>Ends every STS session now: their next call gets ExpiredTokenException (a role's sessions revoked).</summary>
    public void ExpireSessions() => _context.Principals.ExpireSessions();

    /// <summary>
    /// Ends every restore in progress now: each ACTIVATING image becomes ACTIVE, as if
    /// <see cref="LocalEcrOptions.RestoreDuration"/> had passed.
    /// </summary>
    public void FinishRestores() => _context.Registry.FinishRestores();

    /// <summary>Stores now every signature managed signing is still making (<see cref="LocalEcrOptions.SigningDuration"/>).</summary>
    public void FinishSigning() => _context.Registry.FinishSigning(_context.Blobs);

    public string DataDirectory { get; private init; } = string.Empty;

    /// <summary>The memory pools Kestrel's transport took from LocalEcr (see <see cref="TransportMemoryPool"/>).</summary>
    internal TransportMemoryPoolFactory TransportMemory { get; private init; } = new();

    public static async Task<LocalEcrServer> StartAsync(LocalEcrOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var address = ParseHost(options.Host);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Port, 65535);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RestoreDuration, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SigningDuration, TimeSpan.Zero);
        if (!AccountPattern().IsMatch(options.AccountId))
        {
            throw new ArgumentException("AccountId must be 12 digits.", nameof(options));
        }

        if (string.IsNullOrEmpty(options.AccessKey) || string.IsNullOrEmpty(options.SecretKey))
        {
            throw new ArgumentException("AccessKey and SecretKey must not be empty.", nameof(options));
        }

        if (PartitionError(options.AccountId, options.Partition) is { } partitionError)
        {
            throw new ArgumentException(partitionError, nameof(options));
        }

        foreach (var account in options.OtherAccounts)
        {
            if (!AccountPattern().IsMatch(account.AccountId) || string.IsNullOrEmpty(account.AccessKey) || string.IsNullOrEmpty(account.SecretKey))
            {
                throw new ArgumentException("Every other account needs 12 digits and non-empty keys.", nameof(options));
            }

            if (PartitionError(account.AccountId, account.Partition) is { } otherPartitionError)
            {
                throw new ArgumentException(otherPartitionError, nameof(options));
            }
        }

        var ids = options.OtherAccounts.Select(a => a.AccountId).Append(options.AccountId).ToList();
        var keys = options.OtherAccounts.Select(a => a.AccessKey).Append(options.AccessKey).ToList();
        if (ids.Distinct().Count() != ids.Count || keys.Distinct().Count() != keys.Count)
        {
            throw new ArgumentException("Each account and each access key may appear once.", nameof(options));
        }

        var owned = options.DataDirectory is null ? Directory.CreateTempSubdirectory("localecr-").FullName : null;
        var dataDirectory = owned ?? Path.GetFullPath(options.DataDirectory!);
        var context = new ServerContext(options, dataDirectory);

        // The empty builder reads no configuration or environment and logs nothing: stdout stays clean.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = dataDirectory });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
            kestrel.Listen(address, options.Port, listen => listen.Use(context.Connections.Track));
        });
        var transportMemory = new TransportMemoryPoolFactory();
        builder.Services.AddSingleton<IMemoryPoolFactory<byte>>(transportMemory);
        var app = builder.Build();
        app.Run(async http =>
        {
            using var active = context.Active.Enter();
            await RequestRouter.RouteAsync(http, context);
        });
        var server = new LocalEcrServer(app, context, owned) { DataDirectory = dataDirectory, TransportMemory = transportMemory };
        context.Faults.Attach(context.Tokens.ExpireAll, context.Registry.ForgetUploads);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        var bound = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        var port = new Uri(bound).Port;
        var host = options.Host == "localhost" ? "localhost" : address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        context.BaseAddress = new Uri($"http://{host}:{port}/");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        // Kestrel drains requests in flight for up to 30 s by default; one held by a fault (a delayed answer or a stalled
        // download on a clock no one advances) would hold the dispose that long. After 2 s the rest are aborted.
        using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await _app.StopAsync(drain.Token);
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }
        catch (OperationCanceledException)
        {
            // The drain ran out; the held requests were aborted.
        }

        await _app.DisposeAsync();
        _context.Registry.Dispose();
        _context.Blobs.Dispose();
        if (_ownedDirectory is not null)
        {
            try
            {
                Directory.Delete(_ownedDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>Null for a partition LocalEcr knows, else a message naming the account and the bad value.</summary>
    internal static string? PartitionError(string accountId, string? partition) =>
        partition is not null && RegionPartition.IsKnown(partition)
            ? null
            : $"Partition '{partition}' of account {accountId} is not one LocalEcr knows: {string.Join(", ", RegionPartition.Ids)}.";

    internal static IPAddress ParseHost(string host) =>
        host == "localhost" ? IPAddress.Loopback
        : IPAddress.TryParse(host, out var address) ? address
        : throw new ArgumentException($"Host must be an IP address or 'localhost', not '{host}'.", nameof(host));

    [GeneratedRegex("^[0-9]{12}\\z")]
    private static partial Regex AccountPattern();
}
