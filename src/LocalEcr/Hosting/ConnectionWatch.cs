using System.Net;
using Microsoft.AspNetCore.Connections;

namespace LocalEcr;

/// <summary>
/// The connections LocalEcr finished serving since the watch began, by the client's endpoint
/// (<see cref="LocalEcrServer.WatchConnections"/>). Kestrel finishes a connection only once every request it read
/// from it has run to its end, and a client's request precedes its close on the wire: so once LocalEcr has finished
/// every connection a client opened, nothing that client sent can still reach the registry. <see cref="LocalEcrServer.WhenIdleAsync"/>
/// cannot tell that much: it counts a request only once Kestrel hands it over, and a request whose bytes are in but
/// not yet handed over (a busy thread pool) is invisible to it.
/// </summary>
public sealed class ConnectionWatch : IDisposable
{
    private readonly OpenConnections _owner;
    private readonly Lock _gate = new();
    private readonly HashSet<IPEndPoint> _finished = [];
    private readonly List<(HashSet<IPEndPoint> Pending, TaskCompletionSource Done)> _waiters = [];

    internal ConnectionWatch(OpenConnections owner) => _owner = owner;

    /// <summary>
    /// Completes once LocalEcr has accepted and finished a connection from each of <paramref name="clients"/> (the
    /// clients' local endpoints, as their sockets report them) since this watch began. A connection the client opened
    /// and closed before LocalEcr accepted it counts once LocalEcr has accepted it, read its end and finished it.
    /// </summary>
    public Task WhenFinishedAsync(IEnumerable<EndPoint> clients, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clients);
        var pending = new HashSet<IPEndPoint>(clients.Select(Normalize));
        lock (_gate)
        {
            pending.ExceptWith(_finished);
            if (pending.Count == 0)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((pending, done));
            return done.Task.WaitAsync(cancellationToken);
        }
    }

    public void Dispose() => _owner.Remove(this);

    internal void Finished(IPEndPoint client)
    {
        List<TaskCompletionSource> done = [];
        lock (_gate)
        {
            _finished.Add(client);
            foreach (var waiter in _waiters.ToList())
            {
                waiter.Pending.Remove(client);
                if (waiter.Pending.Count == 0)
                {
                    _waiters.Remove(waiter);
                    done.Add(waiter.Done);
                }
            }
        }

        foreach (var waiter in done)
        {
            waiter.TrySetResult();
        }
    }

    /// <summary>A dual-mode client socket reports 127.0.0.1 as ::ffff:127.0.0.1; LocalEcr's IPv4 listener sees 127.0.0.1.</summary>
    internal static IPEndPoint Normalize(EndPoint endPoint) => endPoint switch
    {
        IPEndPoint { Address.IsIPv4MappedToIPv6: true } mapped => new IPEndPoint(mapped.Address.MapToIPv4(), mapped.Port),
        IPEndPoint ip => ip,
        _ => throw new ArgumentException($"Not an IP endpoint: {endPoint}.", nameof(endPoint)),
    };
}

/// <summary>Kestrel connection middleware telling the open <see cref="ConnectionWatch"/>es which connections it finished.</summary>
internal sealed class OpenConnections
{
    private readonly Lock _gate = new();
    private readonly List<ConnectionWatch> _watches = [];

    /// <summary>Kestrel awaits the next delegate until the connection's last request has run: what follows it is the connection's end.</summary>
    public ConnectionDelegate Track(ConnectionDelegate next) => async connection =>
    {
        try
        {
            await next(connection);
        }
        finally
        {
            if (connection.RemoteEndPoint is IPEndPoint remote)
            {
                ConnectionWatch[] watches;
                lock (_gate)
                {
                    watches = [.. _watches];
                }

                var client = ConnectionWatch.Normalize(remote);
                foreach (var watch in watches)
                {
                    watch.Finished(client);
                }
            }
        }
    };

    public ConnectionWatch Watch()
    {
        var watch = new ConnectionWatch(this);
        lock (_gate)
        {
            _watches.Add(watch);
        }

        return watch;
    }

    public void Remove(ConnectionWatch watch)
    {
        lock (_gate)
        {
            _watches.Remove(watch);
        }
    }
}
