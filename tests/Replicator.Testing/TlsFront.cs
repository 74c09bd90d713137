using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Replicator.Testing;

/// <summary>
/// A TLS-inspecting egress proxy as a client sees one: TLS terminated on a free loopback port with a certificate for
/// 127.0.0.1 that a private root signed (<see cref="RootPem"/>, the bundle that trusts it), the bytes forwarded to a
/// plain-HTTP server (LocalEcr, say). A client that trusts only the system's authorities refuses it.
/// </summary>
public sealed class TlsFront : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly X509Certificate2 _certificate;
    private readonly Task _accepting;

    private TlsFront(X509Certificate2 certificate, string rootPem, int target)
    {
        _certificate = certificate;
        RootPem = rootPem;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptAsync(target);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>https://127.0.0.1:PORT/</summary>
    public Uri Endpoint => new($"https://127.0.0.1:{Port}/");

    /// <summary>The private root that signed the front's certificate, as PEM: a CA bundle that trusts the front.</summary>
    public string RootPem { get; }

    /// <summary>Fronts plain-HTTP port <paramref name="target"/> on loopback with a certificate of a new private root.</summary>
    public static TlsFront Start(int target)
    {
        using var rootKey = RSA.Create(2048);
        using var root = TestCertificates.CreateRoot(rootKey, "CN=Egress Inspection Root (test)");
        var leaf = TestCertificates.CreateServer(root, rootKey, "CN=127.0.0.1", ["localhost"], [IPAddress.Loopback]);
        return new TlsFront(leaf, root.ExportCertificatePem(), target);
    }

    /// <summary>The PEM of another private root, which signed no front: a bundle that trusts none.</summary>
    public static string UnrelatedRootPem()
    {
        using var key = RSA.Create(2048);
        using var root = TestCertificates.CreateRoot(key, "CN=Unrelated Root (test)");
        return root.ExportCertificatePem();
    }

    private async Task AcceptAsync(int target)
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

            _ = ServeAsync(client, target);
        }
    }

    private async Task ServeAsync(TcpClient client, int target)
    {
        using (client)
        {
            try
            {
                await using var tls = new SslStream(client.GetStream());
                await tls.AuthenticateAsServerAsync(_certificate, clientCertificateRequired: false, checkCertificateRevocation: false);
                using var upstream = new TcpClient();
                await upstream.ConnectAsync(IPAddress.Loopback, target, _stop.Token);
                var plain = upstream.GetStream();
                await Task.WhenAny(tls.CopyToAsync(plain, _stop.Token), plain.CopyToAsync(tls, _stop.Token));
            }
            catch (Exception)
            {
                // A client that refuses the certificate ends its handshake here.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
        _certificate.Dispose();
    }
}
