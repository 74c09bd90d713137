using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Replicator.Core.Ecr;

namespace Replicator.Function.Tests.Reliability;

/// <summary>
/// The engine's HttpClient (<see cref="EcrClientFactory.CreateHttpClient(Action{System.Net.Http.SocketsHttpHandler})"/>) noting the local endpoint of
/// every connection it opens, before any request is written on it: with LocalEcr's <c>ConnectionWatch</c>, a test
/// that disposed it knows when LocalEcr has finished everything it sent (calls it cancelled included).
/// </summary>
internal sealed class ConnectionNotingClient : IDisposable
{
    private readonly ConcurrentQueue<EndPoint> _opened = new();

    public ConnectionNotingClient()
    {
        Http = EcrClientFactory.CreateHttpClient(handler => handler.ConnectCallback = ConnectAsync);
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
