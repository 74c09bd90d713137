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
        using var root = CreateRoot(rootKey, "CN=Egress Inspection Root (test)");
        return new TlsFront(CreateLeaf(root, rootKey), root.ExportCertificatePem(), target);
    }

    /// <summary>The PEM of another private root, which signed no front: a bundle that trusts none.</summary>
    public static string UnrelatedRootPem()
    {
        using var key = RSA.Create(2048);
        using var root = CreateRoot(key, "CN=Unrelated Root (test)");
        return root.ExportCertificatePem();
    }

    private static X509Certificate2 CreateRoot(RSA key, string subject)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static X509Certificate2 CreateLeaf(X509Certificate2 root, RSA rootKey)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var signed = request.Create(root.SubjectName, X509SignatureGenerator.CreateForRSA(rootKey, RSASignaturePadding.Pkcs1), DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), [1, 2, 3, 4]);
        using var withKey = signed.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pfx), null);
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
