using System.Diagnostics;

namespace Replicator.Cli.Tests.Support;

/// <summary>Runs an external program (dotnet, the installed tool, git) and captures its output.</summary>
internal sealed record ProcessRun(int ExitCode, string Output, string Error)
{
    /// <summary>How long a program may run unless the caller gives its own limit.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The AWS_* variables of the test process (a session token or profile exported by SSO or OIDC, say, or this CI
    /// machine's AWS_CA_BUNDLE): a program run with a test key must not see them, or it would send a real session token
    /// with a fake key. And its proxy variables: .NET (and botocore) send even loopback calls through HTTP_PROXY unless
    /// NO_PROXY names the host, so on a machine behind a proxy the CLI's and the function's calls to the test's LocalEcr
    /// went to the proxy and failed.
    /// </summary>
    public static IReadOnlyList<string> InheritedAwsVariables() =>
        [.. System.Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(n => n.StartsWith("AWS_", StringComparison.Ordinal)
            || n.ToUpperInvariant() is "HTTP_PROXY" or "HTTPS_PROXY" or "ALL_PROXY" or "NO_PROXY")];

    /// <summary>
    /// AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE naming files that do not exist under <paramref name="directory"/>:
    /// without them a child (the CLI, the AWS CLI, the function's AWSSDK) reads the operator's ~/.aws, whose default
    /// profile's ca_bundle, ignore_configured_endpoint_urls or FIPS setting would change or fail the run.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string>> NoSharedAwsFiles(string directory) =>
    [
        KeyValuePair.Create("AWS_CONFIG_FILE", Path.Combine(directory, "no-aws-config")),
        KeyValuePair.Create("AWS_SHARED_CREDENTIALS_FILE", Path.Combine(directory, "no-aws-credentials")),
    ];

    /// <param name="environment">Variables set for the program, over those it inherits.</param>
    /// <param name="unset">Inherited variables the program must not see.</param>
    /// <param name="whileRunning">Acts on the program while it runs (its output is being read meanwhile); the program is killed when it throws.</param>
    /// <param name="timeout">When the program is killed and the call fails; <see cref="DefaultTimeout"/> when null.</param>
    public static async Task<ProcessRun> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        string workingDirectory,
        IReadOnlyDictionary<string, string>? environment = null,
        IEnumerable<string>? unset = null,
        Func<Process, Task>? whileRunning = null,
        TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in unset ?? [])
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var expiry = new CancellationTokenSource(limit);
        try
        {
            if (whileRunning is not null)
            {
                try
                {
                    await whileRunning(process).WaitAsync(expiry.Token);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                    throw;
                }
            }

            await process.WaitForExitAsync(expiry.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish within {limit}");
        }

        return new ProcessRun(process.ExitCode, await stdout, await stderr);
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}
