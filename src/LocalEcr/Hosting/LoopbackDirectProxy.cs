using System.Net;

namespace LocalEcr;

/// <summary>
/// The process's proxy (<see cref="HttpClient.DefaultProxy"/>: HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY) with
/// loopback hosts always reached directly. .NET bypasses no host that NO_PROXY does not name, loopback included
/// (https://github.com/dotnet/runtime/issues/31680), so on a machine that exports HTTP_PROXY (a CI runner or a laptop
/// behind a corporate proxy) every call to a LocalEcr on 127.0.0.1 went to the proxy, which cannot reach this
/// machine's loopback: the offline demo and the tests failed there for a reason that is no part of what they prove.
/// For the callers of a local LocalEcr only (the demo and the tests), never for the function, whose
/// calls behind an egress proxy go through it whatever the host.
/// </summary>
public sealed class LoopbackDirectProxy : IWebProxy
{
    private readonly IWebProxy _inner;

    private LoopbackDirectProxy(IWebProxy inner) => _inner = inner;

    /// <summary>Makes <see cref="HttpClient.DefaultProxy"/> leave loopback hosts alone; handlers created before keep theirs.</summary>
    public static void Install()
    {
        if (HttpClient.DefaultProxy is not LoopbackDirectProxy)
        {
            HttpClient.DefaultProxy = new LoopbackDirectProxy(HttpClient.DefaultProxy);
        }
    }

    public ICredentials? Credentials
    {
        get => _inner.Credentials;
        set => _inner.Credentials = value;
    }

    public Uri? GetProxy(Uri destination) => _inner.GetProxy(destination);

    public bool IsBypassed(Uri host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.IsLoopback || _inner.IsBypassed(host);
    }
}
