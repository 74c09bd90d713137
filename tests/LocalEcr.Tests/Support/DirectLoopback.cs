using System.Runtime.CompilerServices;

namespace LocalEcr.Tests.Support;

internal static class DirectLoopback
{
    /// <summary>
    /// Before any test: the tests' calls to their LocalEcr, moto and fakes on 127.0.0.1 never go through a proxy that
    /// the machine exports in HTTP_PROXY or HTTPS_PROXY (LocalEcr.LoopbackDirectProxy); every one of them failed there.
    /// </summary>
#pragma warning disable CA2255 // A test assembly has no entry point to call it from, and it must run before the first HttpClient.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Install() => global::LocalEcr.LoopbackDirectProxy.Install();
}
