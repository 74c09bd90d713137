using System.Diagnostics;
using System.Text.Json.Nodes;

namespace LocalEcr.Tests.Support;

/// <summary>
/// Runs the real AWS CLI against a LocalEcr as a child process with its own environment (the test
/// process's environment is never changed). CI installs the CLI; without it the tests fail loudly.
/// </summary>
internal sealed class AwsCliRunner(LocalEcrServer server, string region, string workDirectory)
{
    public string AccessKey { get; init; } = "test";

    public string SecretKey { get; init; } = "test";

    /// <summary>The CLI's service command: <c>ecr</c>, or <c>sts</c> for LocalEcr's STS.</summary>
    public string Service { get; init; } = "ecr";

    public string? SessionToken { get; init; }

    public static string Locate()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, "aws");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Fail("The AWS CLI ('aws') is not on PATH. Install it (CI does: apt-get install awscli, or pip install awscli) to run the AWS CLI round trip against LocalEcr.");
        return string.Empty;
    }

    public async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Locate())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workDirectory,
        };
        // And the machine's proxy variables: botocore sends a call to the loopback endpoint through HTTP_PROXY unless
        // NO_PROXY names it, and the proxy cannot reach this machine's LocalEcr.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.OrdinalIgnoreCase)
            || k.ToUpperInvariant() is "HTTP_PROXY" or "HTTPS_PROXY" or "ALL_PROXY" or "NO_PROXY").ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["AWS_ACCESS_KEY_ID"] = AccessKey;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = SecretKey;
        start.Environment["AWS_DEFAULT_REGION"] = region;
        if (SessionToken is not null)
        {
            start.Environment["AWS_SESSION_TOKEN"] = SessionToken;
        }
        start.Environment["AWS_CONFIG_FILE"] = Path.Combine(workDirectory, "no-config");
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(workDirectory, "no-credentials");
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        start.Environment["AWS_MAX_ATTEMPTS"] = "1";
        start.ArgumentList.Add(Service);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.ArgumentList.Add("--endpoint-url");
        start.ArgumentList.Add(server.BaseAddress.GetLeftPart(UriPartial.Authority));
        start.ArgumentList.Add("--output");
        start.ArgumentList.Add("json");

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    public async Task<JsonNode> RunJsonAsync(params string[] args)
    {
        var (exit, stdout, stderr) = await RunAsync(args);
        Assert.True(exit == 0, $"aws ecr {string.Join(' ', args.Take(1))} failed ({exit}): {stderr}");
        return JsonNode.Parse(stdout)!;
    }
}
