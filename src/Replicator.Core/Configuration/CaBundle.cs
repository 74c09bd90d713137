using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Replicator.Core.Configuration;

/// <summary>
/// <c>AWS_CA_BUNDLE</c>: a PEM file of the certificate authorities to trust instead of the system's, as behind an egress
/// proxy that inspects TLS (docs.aws.amazon.com/sdkref/latest/guide/feature-gen-config.html, <c>ca_bundle</c>). AWSSDK
/// reads it from the process for the STS, SSM and SQS clients; the engine's own HttpClient (ECR calls, presigned layer
/// downloads, PutEvents) reads it here, from the injected environment, so that one setting holds for every call.
/// </summary>
public static class CaBundle
{
    public const string Variable = "AWS_CA_BUNDLE";

    /// <summary>The certificates of the bundle <see cref="Variable"/> names, or null when it is unset or blank.</summary>
    /// <exception cref="SettingException">The file cannot be read, or holds no PEM certificate.</exception>
    public static X509Certificate2Collection? Load(IEnvironmentVariables environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var path = environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }

        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            // Like AWSSDK, which fails every client's call when the bundle cannot be read, but named once, at the start.
            throw new SettingException(Variable, $"names {path}, which could not be read as a PEM file of certificates: {ex.Message}");
        }

        return roots.Count > 0 ? roots : throw new SettingException(Variable, $"names {path}, which holds no PEM certificate");
    }

    /// <summary>Makes <paramref name="handler"/> trust exactly <paramref name="roots"/>, as AWSSDK's clients do under the setting.</summary>
    public static void Trust(SocketsHttpHandler handler, X509Certificate2Collection roots)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(roots);

        // No revocation check, as the handler's default (SslClientAuthenticationOptions.CertificateRevocationCheckMode,
        // NoCheck): a chain policy's own default is Online, which a proxy-only egress could not reach.
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.AddRange(roots);
        handler.SslOptions.CertificateChainPolicy = policy;
    }
}
