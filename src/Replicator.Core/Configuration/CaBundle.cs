using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Replicator.Core.Configuration;

/// <summary>
/// <c>AWS_CA_BUNDLE</c>: a PEM file of the certificate authorities to trust instead of the system's, as behind an egress
/// proxy that inspects TLS (docs.aws.amazon.com/sdkref/latest/guide/feature-gen-config.html, <c>ca_bundle</c>). AWSSDK
/// reads it from the process for the STS, SSM and SQS clients; the engine's own HttpClient (ECR calls, presigned layer
/// downloads, PutEvents) reads it here, from the injected environment, so that one setting holds for every call. The
/// shared config file's <c>ca_bundle</c> key, which AWSSDK does not read, is found by <see cref="FromSharedConfig"/>
/// for the CLI, which gives it to both as the variable.
/// </summary>
public static class CaBundle
{
    public const string Variable = "AWS_CA_BUNDLE";

    /// <summary>The key of the active profile in the shared config (or credentials) file, as the AWS CLI reads it.</summary>
    public const string ConfigKey = "ca_bundle";

    /// <summary>The certificates of the bundle <see cref="Variable"/> names, or null when it is unset or blank.</summary>
    /// <exception cref="SettingException">The file cannot be read, or holds no PEM certificate.</exception>
    public static X509Certificate2Collection? Load(IEnvironmentVariables environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var path = environment.GetEnvironmentVariable(Variable);
        return string.IsNullOrWhiteSpace(path) ? null : Read(path, Variable);
    }

    /// <summary>The certificates of the PEM file <paramref name="path"/>, which <paramref name="setting"/> names.</summary>
    /// <exception cref="SettingException">Naming <paramref name="setting"/>: the file cannot be read, or holds no PEM certificate.</exception>
    public static X509Certificate2Collection Read(string path, string setting)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(setting);
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            // Like AWSSDK, which fails every client's call when the bundle cannot be read, but named once, at the start.
            throw new SettingException(setting, $"names {path}, which could not be read as a PEM file of certificates: {ex.Message}");
        }

        return roots.Count > 0 ? roots : throw new SettingException(setting, $"names {path}, which holds no PEM certificate");
    }

    /// <summary>
    /// The bundle the active profile's <c>ca_bundle</c> names, when <see cref="Variable"/> is not set, and the setting to
    /// name in a message ("ca_bundle of profile NAME in the shared config file PATH"); null when the variable is set or
    /// the profile has no such key or an empty one. The AWS CLI's order, checked by running botocore 1.43 on the same
    /// files: the variable wins, else the profile's key, in the credentials file ahead of the config file
    /// (botocore/configprovider.py, <c>'ca_bundle': ('ca_bundle', 'AWS_CA_BUNDLE', None, None)</c>; session.py
    /// <c>create_client</c> takes it as <c>verify</c>).
    /// </summary>
    /// <remarks>
    /// <para>
    /// A set variable wins even when blank (botocore's EnvironmentProvider returns whatever value is present), and
    /// blank is the system's authorities here, as in <see cref="Load"/>. botocore passes an empty value, of the variable
    /// or of the key, on as <c>verify=''</c>, which its httpsession.py <c>_setup_ssl_cert</c> reads as "do not verify"
    /// (<c>CERT_NONE</c>): an empty setting does not turn verification off here.
    /// </para>
    /// <para>
    /// A leading <c>~/</c> is the home directory, as urllib3 expands the path it is given
    /// (urllib3/connection.py, <c>os.path.expanduser(ca_certs)</c>), so the AWS CLI reads <c>ca_bundle = ~/proxy.pem</c>;
    /// the variable written for AWSSDK then names the file itself. A relative path is left as written, opened from the
    /// working directory as the AWS CLI opens it.
    /// </para>
    /// </remarks>
    /// <exception cref="SettingException">The shared config file cannot be parsed (<see cref="SharedConfigFile"/>).</exception>
    public static (string Path, string Setting)? FromSharedConfig(IEnvironmentVariables environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (environment.GetEnvironmentVariable(Variable) is not null
            || SharedConfigFile.Locate(environment, ConfigKey, OperatingSystem.IsWindows()) is not { } found
            || string.IsNullOrWhiteSpace(found.Value))
        {
            return null;
        }

        return (SharedConfigFile.ExpandHome(environment, found.Value, OperatingSystem.IsWindows()), $"{ConfigKey} of profile {found.Profile} in {found.Where} {found.File}");
    }

    /// <summary>
    /// The bundle every call of a CLI command trusts, and the setting that names it: <see cref="Variable"/> when it is set
    /// (null when blank), else the profile's key (<see cref="FromSharedConfig"/>). A leading <c>~/</c> of either is the
    /// home directory: the AWS CLI opens <c>AWS_CA_BUNDLE=~/proxy.pem</c> too (urllib3/connection.py,
    /// <c>os.path.expanduser(ca_certs)</c>), where .NET and AWSSDK would look for a directory named <c>~</c>.
    /// </summary>
    /// <exception cref="SettingException">The shared config file cannot be parsed (<see cref="SharedConfigFile"/>).</exception>
    public static (string Path, string Setting)? Resolve(IEnvironmentVariables environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return environment.GetEnvironmentVariable(Variable) switch
        {
            null => FromSharedConfig(environment),
            var path when string.IsNullOrWhiteSpace(path) => null,
            var path => (SharedConfigFile.ExpandHome(environment, path, OperatingSystem.IsWindows()), Variable),
        };
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
