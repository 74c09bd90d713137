using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using LocalEcr;
using Replicator.Core.Composition;
using Replicator.Core.Configuration;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Replication;
using Replicator.Core.Signing;
using Replicator.Testing;

namespace Replicator.Core.Tests.Configuration;

/// <summary>
/// AWS_CA_BUNDLE: AWSSDK.Core reads it from the process environment and, for every HTTP client it creates, trusts
/// exactly that PEM bundle, so a deployed function's STS, SSM and SQS calls (and the AWS CLI's) pass a TLS-inspecting
/// egress proxy whose root is in the bundle. The engine's own client (ECR calls, layer downloads, PutEvents) reads the
/// same setting from the injected environment; before, it never did, and behind such a proxy every ECR call failed its
/// TLS handshake while the SDK's calls beside it succeeded.
/// </summary>
public sealed class CaBundleTests
{
    /// <summary>
    /// LocalEcr behind a TLS front whose certificate a private root signed (the proxy's): with that root as the bundle
    /// the engine's call is answered, and without it the same endpoint is refused as untrusted.
    /// </summary>
    [Fact]
    public async Task Ecr_calls_trust_the_ca_bundle_that_aws_ca_bundle_names_and_without_it_refuse_the_endpoint()
    {
        await using var ecr = await LocalEcrServer.StartAsync(new LocalEcrOptions { Port = 0 });
        using var caKey = RSA.Create(2048);
        using var ca = CreateCa(caKey);
        using var leaf = CreateLeaf(ca, caKey);
        await using var tls = TlsFront.Start(leaf, ecr.BaseAddress.Port);
        var bundle = Path.Combine(Path.GetTempPath(), $"ca-bundle-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(bundle, ca.ExportCertificatePem());
        ReplicatorServices Services(string? caBundle)
        {
            var variables = new Dictionary<string, string>
            {
                ["AWS_REGION"] = "us-east-1",
                ["AWS_ENDPOINT_URL_ECR"] = $"https://127.0.0.1:{tls.Port}/",
            };
            if (caBundle is not null)
            {
                variables[CaBundle.Variable] = caBundle;
            }

            return ReplicatorServices.Create(DictionaryEnvironmentVariables.Of(variables), new ReplicatorOptions(), credentials: new StaticCredentialsSource(new AwsCredentials("test", "test")));
        }

        try
        {
            using (var trusting = Services(bundle))
            {
                Assert.NotNull(await trusting.Clients.GetClient("us-east-1").DescribeRepositoriesAsync(new DescribeRepositoriesRequest()));
            }

            using var system = Services(null);
            await Assert.ThrowsAnyAsync<Exception>(() => system.Clients.GetClient("us-east-1").DescribeRepositoriesAsync(new DescribeRepositoriesRequest()));
        }
        finally
        {
            File.Delete(bundle);
        }
    }

    [Theory]
    [InlineData(null, "could not be read")]
    [InlineData("not a certificate\n", "holds no PEM certificate")]
    public async Task A_bundle_that_cannot_be_read_or_holds_no_certificate_is_refused_naming_the_setting(string? content, string problem)
    {
        var path = Path.Combine(Path.GetTempPath(), $"ca-bundle-{Guid.NewGuid():N}.pem");
        if (content is not null)
        {
            await File.WriteAllTextAsync(path, content);
        }

        try
        {
            var environment = DictionaryEnvironmentVariables.Of(new Dictionary<string, string> { [CaBundle.Variable] = path });

            var error = Assert.Throws<SettingException>(() => CaBundle.Load(environment));

            Assert.Equal("AWS_CA_BUNDLE", error.Setting);
            Assert.Contains(path, error.Problem, StringComparison.Ordinal);
            Assert.Contains(problem, error.Problem, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Unset_or_blank_trusts_the_system_store()
    {
        Assert.Null(CaBundle.Load(DictionaryEnvironmentVariables.Of(new Dictionary<string, string>())));
        Assert.Null(CaBundle.Load(DictionaryEnvironmentVariables.Of(new Dictionary<string, string> { [CaBundle.Variable] = " " })));
    }

    private static X509Certificate2 CreateCa(RSA key)
    {
        var request = new CertificateRequest("CN=Egress Inspection Root (test)", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static X509Certificate2 CreateLeaf(X509Certificate2 ca, RSA caKey)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var signed = request.Create(ca.SubjectName, X509SignatureGenerator.CreateForRSA(caKey, RSASignaturePadding.Pkcs1), DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), [1, 2, 3, 4]);
        using var withKey = signed.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pfx), null);
    }

    /// <summary>Terminates TLS on loopback with a certificate of the test's CA and forwards the bytes to a plain-HTTP server.</summary>
    private sealed class TlsFront : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;

        private TlsFront(X509Certificate2 certificate, int target)
        {
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            _accepting = AcceptAsync(certificate, target);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static TlsFront Start(X509Certificate2 certificate, int target) => new(certificate, target);

        private async Task AcceptAsync(X509Certificate2 certificate, int target)
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

                _ = ServeAsync(client, certificate, target);
            }
        }

        private async Task ServeAsync(TcpClient client, X509Certificate2 certificate, int target)
        {
            using (client)
            {
                try
                {
                    await using var tls = new SslStream(client.GetStream());
                    await tls.AuthenticateAsServerAsync(certificate, clientCertificateRequired: false, checkCertificateRevocation: false);
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
        }
    }
}
