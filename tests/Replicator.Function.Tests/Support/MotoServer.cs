using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Replicator.Function.Tests.Support;

/// <summary>
/// moto's server (<c>python3 -m moto.server</c>, in the machine image; .ci/run checks it) on a free loopback port:
/// a real SQS API (query and JSON protocols) for the redelivery test. Each instance is its own process and state.
/// </summary>
public sealed class MotoServer : IAsyncDisposable
{
    private readonly Process _process;

    private MotoServer(Process process, Uri endpoint)
    {
        _process = process;
        Endpoint = endpoint;
    }

    /// <summary>moto's default account: queue ARNs and URLs carry it.</summary>
    public const string AccountId = "123456789012";

    public Uri Endpoint { get; }

    public static async Task<MotoServer> StartAsync()
    {
        var port = FreePort();
        var start = new ProcessStartInfo("python3", ["-m", "moto.server", "-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new MotoServer(process, new Uri($"http://127.0.0.1:{port}/"));

        // Wait for the server to answer (python start-up takes seconds on a busy machine), or for it to exit.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"moto.server exited with {process.ExitCode}: is moto[server] installed for python3? (.ci/run checks it)");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(server.Endpoint, "moto-api/data.json"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Listening but slow to answer.
            }

            await Task.Delay(200);
        }

        await server.DisposeAsync();
        throw new TimeoutException("moto.server did not answer within 90 s");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
