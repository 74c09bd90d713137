using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Replicator.Testing;

namespace Replicator.Function.Tests.Support;

/// <summary>
/// A loopback egress proxy as a platform team runs one in front of a VPC without NAT: it takes CONNECT for the host
/// names it serves, answers them as a TLS-inspecting proxy does (its own certificate, signed by <see cref="CaPem"/>'s
/// root, for every name), and forwards the plain bytes to a local server; it also forwards absolute-form plain-HTTP
/// requests (http://host:port/path, what HTTP_PROXY carries) to loopback. The names it serves resolve nowhere else, so
/// a call that reaches its server went through this proxy. With <see cref="Credentials"/> set it asks for Basic proxy
/// authentication (407) as an authenticating proxy does. What it saw is in <see cref="Seen"/>.
/// </summary>
internal sealed class EgressProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly IReadOnlyDictionary<string, int> _hosts;
    private readonly X509Certificate2 _certificate;
    private readonly Task _accepting;

    /// <param name="hosts">Each served host name and the loopback port of the plain-HTTP server behind it.</param>
    /// <param name="credentials">"user:password" the proxy requires, or null for none.</param>
    public EgressProxy(IReadOnlyDictionary<string, int> hosts, string? credentials = null)
    {
        _hosts = hosts;
        Credentials = credentials;
        using var caKey = RSA.Create(2048);
        using var ca = TestCertificates.CreateRoot(caKey, "CN=Egress Proxy Inspection Root (test)");
        CaPem = ca.ExportCertificatePem();
        _certificate = TestCertificates.CreateServer(ca, caKey, "CN=egress-proxy.test", hosts.Keys);
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string? Credentials { get; }

    /// <summary>The root certificate of the proxy's inspection certificates, PEM (what AWS_CA_BUNDLE names).</summary>
    public string CaPem { get; }

    /// <summary>Each request line the proxy was asked (CONNECT host:port, or METHOD http://host:port/path without the query), answered or not.</summary>
    public ConcurrentQueue<string> Seen { get; } = new();

    /// <summary>Requests refused for want of valid proxy credentials (407).</summary>
    public ConcurrentQueue<string> Refused { get; } = new();

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                while (true)
                {
                    var head = await ReadHeadAsync(stream);
                    if (head is null)
                    {
                        return;
                    }

                    var lines = head.Split("\r\n");
                    var parts = lines[0].Split(' ');
                    var line = parts[0] == "CONNECT" ? $"CONNECT {parts[1]}" : $"{parts[0]} {parts[1].Split('?')[0]}";
                    Seen.Enqueue(line);
                    if (Credentials is not null && !Authorized(lines))
                    {
                        Refused.Enqueue(line);
                        await WriteAsync(stream, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"egress\"\r\nContent-Length: 0\r\n\r\n");
                        continue;
                    }

                    if (parts[0] == "CONNECT")
                    {
                        await TunnelAsync(stream, parts[1]);
                    }
                    else
                    {
                        await ForwardAsync(stream, lines, parts);
                    }

                    return;
                }
            }
            catch (Exception)
            {
                // A client that goes away, or one refusing the inspection certificate, ends its connection here.
            }
        }
    }

    private bool Authorized(string[] lines)
    {
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(Credentials!));
        return lines.Any(l => l.StartsWith("Proxy-Authorization:", StringComparison.OrdinalIgnoreCase) && l["Proxy-Authorization:".Length..].Trim() == expected);
    }

    private async Task TunnelAsync(NetworkStream stream, string authority)
    {
        var host = authority[..authority.LastIndexOf(':')];
        if (!_hosts.TryGetValue(host, out var port))
        {
            // What a proxy answers when it cannot resolve or reach the host.
            await WriteAsync(stream, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
            return;
        }

        await WriteAsync(stream, "HTTP/1.1 200 Connection established\r\n\r\n");
        await using var tls = new SslStream(stream, leaveInnerStreamOpen: true);
        await tls.AuthenticateAsServerAsync(_certificate, clientCertificateRequired: false, checkCertificateRevocation: false);
        using var upstream = new TcpClient();
        await upstream.ConnectAsync(IPAddress.Loopback, port, _stop.Token);
        var plain = upstream.GetStream();
        await Task.WhenAny(tls.CopyToAsync(plain, _stop.Token), plain.CopyToAsync(tls, _stop.Token));
    }

    private async Task ForwardAsync(NetworkStream stream, string[] lines, string[] parts)
    {
        var target = new Uri(parts[1]);
        if (!IPAddress.TryParse(target.Host, out var address) || !IPAddress.IsLoopback(address))
        {
            await WriteAsync(stream, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
            return;
        }

        using var upstream = new TcpClient();
        await upstream.ConnectAsync(address, target.Port, _stop.Token);
        var plain = upstream.GetStream();
        var request = new StringBuilder($"{parts[0]} {target.PathAndQuery} {parts[2]}\r\n");
        foreach (var header in lines.Skip(1).Where(l => l.Length > 0 && !l.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase)))
        {
            request.Append(header).Append("\r\n");
        }

        await WriteAsync(plain, request.Append("\r\n").ToString());
        await Task.WhenAny(stream.CopyToAsync(plain, _stop.Token), plain.CopyToAsync(stream, _stop.Token));
    }

    // The request head byte by byte, so nothing after it (a TLS ClientHello) is read here.
    private static async Task<string?> ReadHeadAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one) == 0 || head.Length > 16 * 1024)
            {
                return null;
            }

            head.Append((char)one[0]);
        }

        return head.ToString(0, head.Length - 4);
    }

    private static Task WriteAsync(Stream stream, string text) => stream.WriteAsync(Encoding.ASCII.GetBytes(text)).AsTask();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
        _certificate.Dispose();
    }
}
