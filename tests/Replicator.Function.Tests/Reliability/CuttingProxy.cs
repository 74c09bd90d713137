using System.Net;
using System.Net.Sockets;

namespace Replicator.Function.Tests.Reliability;

/// <summary>
/// A loopback TCP proxy in front of LocalEcr's API that, once armed, resets the first connection whose request
/// bytes pass a threshold: a connection cut in the middle of sending a large request (an UploadLayerPart body).
/// </summary>
internal sealed class CuttingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private long _cutAfter = -1;
    private int _cuts;

    public CuttingProxy(Uri upstream)
    {
        _upstream = new IPEndPoint(IPAddress.Loopback, upstream.Port);
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync();
    }

    public Uri Address { get; }

    public int Cuts => Volatile.Read(ref _cuts);

    /// <summary>The next connection that has sent more than <paramref name="requestBytes"/> bytes is reset.</summary>
    public void CutNextAfter(long requestBytes) => Interlocked.Exchange(ref _cutAfter, requestBytes);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.ContinueWith(static _ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using (client)
        {
            try
            {
                await server.ConnectAsync(_upstream, _stop.Token);
                using var cut = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                var up = PumpAsync(client, server, countRequestBytes: true, cut);
                var down = PumpAsync(server, client, countRequestBytes: false, cut);
                await Task.WhenAny(up, down);
                await cut.CancelAsync();
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
    }

    private async Task PumpAsync(Socket from, Socket to, bool countRequestBytes, CancellationTokenSource cut)
    {
        var buffer = new byte[64 * 1024];
        long sent = 0;
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, cut.Token);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), cut.Token);
                sent += read;
                var threshold = Interlocked.Read(ref _cutAfter);
                if (countRequestBytes && threshold >= 0 && sent > threshold && Interlocked.CompareExchange(ref _cutAfter, -1, threshold) == threshold)
                {
                    Interlocked.Increment(ref _cuts);

                    // Linger 0: close with a reset, as a dropped connection looks to the client mid-request.
                    from.LingerState = new LingerOption(true, 0);
                    to.LingerState = new LingerOption(true, 0);
                    from.Close();
                    to.Close();
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }
}
