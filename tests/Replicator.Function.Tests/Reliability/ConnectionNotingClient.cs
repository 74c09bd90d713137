using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Replicator.Function.Tests.Reliability;

/// <summary>
/// An HttpClient set up as the engine's (<c>EcrClientFactory.CreateHttpClient</c>) that notes the local endpoint of
/// every connection it opens, before any request is written on it: with LocalEcr's <c>ConnectionWatch</c>, a test
/// that disposed it knows when LocalEcr has finished everything it sent (calls it cancelled included).
/// </summary>
internal sealed class ConnectionNotingClient : IDisposable
{
    private readonly ConcurrentQueue<EndPoint> _opened = new();

    public ConnectionNotingClient()
    {
        Http = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AutomaticDecompression = DecompressionMethods.None,
            ConnectCallback = ConnectAsync,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public HttpClient Http { get; }

    /// <summary>The local endpoints of the connections opened so far.</summary>
    public IReadOnlyList<EndPoint> Opened => [.. _opened];

    public void Dispose() => Http.Dispose();

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            _opened.Enqueue(socket.LocalEndPoint!);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
