using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;

namespace Replicator.Testing;

/// <summary>
/// moto's server (<c>python3 -m moto.server</c>, in the machine image; .ci/run checks it) on a loopback port of
/// its own choosing, for the AWS services LocalEcr does not serve: SQS (the redelivery test), SSM Parameter Store
/// (destination credentials). One process per instance; disposing kills it. Its state is in memory and dies with it.
/// </summary>
public sealed partial class MotoServer : IAsyncDisposable
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

    /// <summary>
    /// Starts moto on port 0: it binds a free port itself and announces it (" * Running on http://127.0.0.1:PORT",
    /// werkzeug's startup line), so no other process can take the port between a pick and the bind, and the server
    /// probed is this process. A port picked here and passed to moto could be taken first by another test's moto,
    /// and the probe would then succeed against that one.
    /// </summary>
    public static async Task<MotoServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var announced = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new ConcurrentQueue<string>();
        void Read(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is not { } line)
            {
                return;
            }

            output.Enqueue(line);
            while (output.Count > 20 && output.TryDequeue(out _))
            {
            }

            if (RunningOn().Match(line) is { Success: true } running)
            {
                announced.TrySetResult(int.Parse(running.Groups["port"].ValueSpan, System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        var process = Process.Start(new ProcessStartInfo("python3", ["-m", "moto.server", "-H", "127.0.0.1", "-p", "0"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        try
        {
            process.OutputDataReceived += Read;
            process.ErrorDataReceived += Read;
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            // Importing moto takes seconds on a busy machine.
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(TimeSpan.FromMinutes(2));
            await Task.WhenAny(announced.Task, process.WaitForExitAsync(deadline.Token));
            cancellationToken.ThrowIfCancellationRequested();
            var port = announced.Task.IsCompleted ? await announced.Task : 0;
            if (port == 0)
            {
                throw new InvalidOperationException($"moto's server (python3 -m moto.server) did not announce the port it listens on: {string.Join(" | ", output)}");
            }

            var endpoint = new Uri($"http://127.0.0.1:{port}/");
            if (!await WaitReadyAsync(process, endpoint, deadline.Token))
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw new InvalidOperationException($"moto's server did not answer on {endpoint}: {string.Join(" | ", output)}");
            }

            return new MotoServer(process, endpoint);
        }
        catch
        {
            Kill(process);
            process.Dispose();
            throw;
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

    /// <summary>True once this process answers on <paramref name="endpoint"/>; false when it exits or the deadline passes.</summary>
    private static async Task<bool> WaitReadyAsync(Process process, Uri endpoint, CancellationToken deadline)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        while (!process.HasExited && !deadline.IsCancellationRequested)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(endpoint, "moto-api/"), deadline);
                if (response.IsSuccessStatusCode)
                {
                    // The port is this process's while it runs: an answer after it exited came from another one.
                    return !process.HasExited;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (OperationCanceledException) when (!deadline.IsCancellationRequested)
            {
                // This attempt's own timeout: try again.
            }
            catch (OperationCanceledException)
            {
                return false;
            }

            try
            {
                await process.WaitForExitAsync(deadline).WaitAsync(TimeSpan.FromMilliseconds(200), deadline);
            }
            catch (TimeoutException)
            {
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        return false;
    }

    // werkzeug's startup line (its BaseWSGIServer.log_startup), with the port bound.
    [GeneratedRegex(@"Running on http://127\.0\.0\.1:(?<port>[0-9]{1,5})\b", RegexOptions.CultureInvariant)]
    private static partial Regex RunningOn();

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
