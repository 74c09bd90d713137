using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Replicator.Core.Tests;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1, port 0, for what a handler cannot show: bytes on a real socket,
/// a server that never answers. Each connection gets one request; the reply is given by <c>respond</c>
/// (null: hold the connection open without answering until disposed).
/// </summary>
internal sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<byte[], string?> _respond;
    private readonly Task _loop;

    public LoopbackHttpServer(Func<byte[], string?> respond)
    {
        _respond = respond;
        _listener.Start();
        _loop = AcceptLoopAsync();
    }

    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    /// <summary>Each request's raw head and body as received.</summary>
    public List<(string Head, byte[] Body)> Received { get; } = [];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var socket = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(socket));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int headEnd;
        while ((headEnd = IndexOfHeadEnd(buffer)) < 0)
        {
            var read = await stream.ReadAsync(chunk, _stop.Token);
            if (read == 0)
            {
                return;
            }

            buffer.Write(chunk, 0, read);
        }

        var head = Encoding.ASCII.GetString(buffer.GetBuffer(), 0, headEnd);
        var lengthLine = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        var length = lengthLine is null ? 0 : int.Parse(lengthLine["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        while (buffer.Length < headEnd + 4 + length)
        {
            var read = await stream.ReadAsync(chunk, _stop.Token);
            if (read == 0)
            {
                return;
            }

            buffer.Write(chunk, 0, read);
        }

        var body = buffer.GetBuffer().AsSpan(headEnd + 4, length).ToArray();
        lock (Received)
        {
            Received.Add((head, body));
        }

        var reply = _respond(body);
        if (reply is null)
        {
            await Task.Delay(Timeout.Infinite, _stop.Token);
            return;
        }

        var payload = Encoding.UTF8.GetBytes(reply);
        var response = $"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-RequestId: loopback-1\r\nContent-Length: {payload.Length}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(response), _stop.Token);
        await stream.WriteAsync(payload, _stop.Token);
    }

    private static int IndexOfHeadEnd(MemoryStream buffer) =>
        buffer.GetBuffer().AsSpan(0, (int)buffer.Length).IndexOf("\r\n\r\n"u8);
}
