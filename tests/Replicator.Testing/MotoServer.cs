using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;

namespace Replicator.Testing;

/// <summary>
/// moto's server (<c>python3 -m moto.server</c>, in the machine image; .ci/run checks it) on a free loopback
/// port, for the AWS services LocalEcr does not serve: SQS (the redelivery test), SSM Parameter Store (destination
/// credentials). One process per instance; disposing kills it. Its state is in memory and dies with it.
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

    public static async Task<MotoServer> StartAsync(CancellationToken cancellationToken = default)
    {
        // A port picked free can be taken before moto binds it: then moto exits, and another port is tried.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var process = Process.Start(new ProcessStartInfo("python3", ["-m", "moto.server", "-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            })!;
            process.OutputDataReceived += static (_, _) => { };
            process.ErrorDataReceived += static (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var endpoint = new Uri($"http://127.0.0.1:{port}/");
            if (await WaitReadyAsync(process, endpoint, cancellationToken))
            {
                return new MotoServer(process, endpoint);
            }

            Kill(process);
            if (attempt == 3)
            {
                throw new InvalidOperationException("moto's server did not start (python3 -m moto.server)");
            }
        }
    }

    /// <summary>An SSM client on this server (any keys: moto does not check signatures).</summary>
    public AmazonSimpleSystemsManagementClient SsmClient(string region) =>
        new(new BasicAWSCredentials("moto", "moto"), new AmazonSimpleSystemsManagementConfig { ServiceURL = Endpoint.ToString(), AuthenticationRegion = region });

    /// <summary>Puts a SecureString parameter (overwriting), as an operator would with <c>aws ssm put-parameter</c>.</summary>
    public async Task PutSecureStringAsync(string region, string name, string value)
    {
        using var ssm = SsmClient(region);
        await ssm.PutParameterAsync(new PutParameterRequest { Name = name, Value = value, Type = ParameterType.SecureString, Overwrite = true });
    }

    public ValueTask DisposeAsync()
    {
        Kill(_process);
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private static async Task<bool> WaitReadyAsync(Process process, Uri endpoint, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        // Importing moto takes seconds on a busy machine; the loop ends as soon as it answers or exits.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromMinutes(2));
        while (!process.HasExited)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(endpoint, "moto-api/"), deadline.Token);
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!deadline.IsCancellationRequested)
            {
            }

            try
            {
                await process.WaitForExitAsync(deadline.Token).WaitAsync(TimeSpan.FromMilliseconds(200), deadline.Token);
            }
            catch (TimeoutException)
            {
            }
        }

        return false;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }
        }
        catch (InvalidOperationException)
        {
        }
    }
}
