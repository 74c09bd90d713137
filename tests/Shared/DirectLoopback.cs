using System.Runtime.CompilerServices;

namespace Replicator.Tests.Shared;

/// <summary>
/// Compiled into each test assembly that talks to a LocalEcr, moto or a fake on 127.0.0.1 (linked by its .csproj), so
/// that it runs as that assembly loads, before any test creates an HttpClient.
/// </summary>
internal static class DirectLoopback
{
    /// <summary>
    /// The tests' calls to their servers on loopback never go through a proxy the machine exports in HTTP_PROXY or
    /// HTTPS_PROXY (LocalEcr.LoopbackDirectProxy): .NET proxies loopback too unless NO_PROXY names it, and every such
    /// call failed there.
    /// </summary>
#pragma warning disable CA2255 // A test assembly has no entry point to call it from, and it must run before the first HttpClient.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Install() => global::LocalEcr.LoopbackDirectProxy.Install();
}
