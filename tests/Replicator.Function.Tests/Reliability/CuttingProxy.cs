using System.Net;
using System.Net.Sockets;

namespace Replicator.Function.Tests.Reliability;

/// <summary>
/// A loopback TCP proxy in front of LocalEcr's API that, once armed, resets the first connection whose request
/// bytes since the arming pass a threshold: a connection cut in the middle of sending a large request (an
/// UploadLayerPart body). Bytes a pooled connection sent before the arming (the test's own push, say) do not count, or
/// the first small request to reuse that connection would be the one cut.
/// </summary>
internal sealed class CuttingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private long _cutAfter = -1;
    private long _armings;
    private int _cuts;
    private string? _cutOperation;

    public CuttingProxy(Uri upstream)
    {
        _upstream = new IPEndPoint(IPAddress.Loopback, upstream.Port);
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync();
    }

    public Uri Address { get; }

    public int Cuts => Volatile.Read(ref _cuts);

    /// <summary>The <c>X-Amz-Target</c> operation of the last request the cut connection began (null before a cut).</summary>
    public string? CutOperation => Volatile.Read(ref _cutOperation);

    /// <summary>The next connection that sends more than <paramref name="requestBytes"/> bytes from now on is reset.</summary>
    public void CutNextAfter(long requestBytes)
    {
        Interlocked.Exchange(ref _cutAfter, requestBytes);
        Interlocked.Increment(ref _armings);
    }

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
        var counting = -1L;
        string? operation = null;
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
                if (!countRequestBytes)
                {
                    continue;
                }

                var arming = Interlocked.Read(ref _armings);
                if (arming != counting)
                {
                    (counting, sent) = (arming, 0);
                }

                sent += read;
                operation = OperationIn(buffer.AsSpan(0, read)) ?? operation;
                var threshold = Interlocked.Read(ref _cutAfter);
                if (threshold >= 0 && sent > threshold && Interlocked.CompareExchange(ref _cutAfter, -1, threshold) == threshold)
                {
                    Volatile.Write(ref _cutOperation, operation);
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

    // The client writes a request's headers in one piece ahead of its body, so a read holding a request's start holds
    // its X-Amz-Target line whole (written with that spelling by AwsJsonRequestSigner).
    private static string? OperationIn(ReadOnlySpan<byte> bytes)
    {
        var at = bytes.IndexOf("X-Amz-Target:"u8);
        if (at < 0)
        {
            return null;
        }

        var value = bytes[(at + "X-Amz-Target:"u8.Length)..];
        var end = value.IndexOf((byte)'\r');
        return end < 0 ? null : System.Text.Encoding.ASCII.GetString(value[..end]).Trim();
    }
}
