using System.Net;
using System.Net.Sockets;

namespace Replicator.Core.Tests;

/// <summary>
/// A loopback port bound for the test's length but never listening: nothing else can take it (a port found free and
/// released could be taken by a parallel test before the connection is tried), and every connection is refused at once.
/// </summary>
internal sealed class ClosedPort : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public ClosedPort() => _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));

    public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    public Uri Endpoint => new($"http://127.0.0.1:{Port}/");

    public void Dispose() => _socket.Dispose();
}
