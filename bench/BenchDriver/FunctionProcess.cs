using System.Diagnostics;

namespace BenchDriver;

/// <summary>Starts the function (a native bootstrap, or `dotnet bootstrap.dll`) with the environment of a local run.</summary>
internal static class FunctionProcess
{
    /// <summary>
    /// What the stack sets beside the destinations with its parameters' defaults (template.yaml, the function's
    /// <c>Environment</c>): a dead-letter queue, the reconciler (its queue and cursor) and every repository. The
    /// function reads them at init, so a cold start measured without them is not the one a deployment gets.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> StackDefaults = new Dictionary<string, string>
    {
        ["REPOSITORY_FILTER"] = "*",
        ["DESTINATION_ROLE_NAME"] = "ecr-replicator-destination",
        ["DEAD_LETTER_QUEUE_URL"] = "https://sqs.us-east-1.amazonaws.com/123456789012/ecr-replicator-dlq.fifo",
        ["MAX_RECEIVE_COUNT"] = "200",
        ["RECONCILE_QUEUE_URL"] = "https://sqs.us-east-1.amazonaws.com/123456789012/ecr-replicator.fifo",
        ["RECONCILE_CURSOR_PARAMETER"] = "/ecr-replicator/ecr-replicator/reconcile-cursor",
        ["MAX_PARALLEL_LAYERS"] = "4",
        ["SIGNATURE_WAIT_SECONDS"] = "30",
        ["REPLICATE_DELETES"] = "false",
        ["METRICS_NAMESPACE"] = "EcrReplicator",
    };

    public static Process Start(string command, string runtimeApi, string? endpoint, string sourceRegion, string destinationRegions, IReadOnlyDictionary<string, string>? settings = null)
    {
        var start = command.EndsWith(".dll", StringComparison.Ordinal)
            ? new ProcessStartInfo("dotnet") { ArgumentList = { command } }
            : new ProcessStartInfo(command);
        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;

        // Lambda starts the function with the variables its configuration sets and its own, not the environment of the
        // machine that measures: an AWS_CA_BUNDLE exported there (this bench's VM exports the system bundle, 144
        // certificates) made every measured start read and parse it, about 50 ms of CPU, and an AWS_PROFILE or
        // AWS_CONFIG_FILE would change what the function reads. Every inherited AWS_ variable is dropped; what a run
        // needs is set below. So are the machine's proxy variables (Lambda sets none unless configured): .NET sends even
        // loopback calls through HTTP_PROXY, so a copy from LocalEcr would have measured the proxy, or failed on it.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal) || IsProxyVariable(k)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["AWS_LAMBDA_RUNTIME_API"] = runtimeApi;
        start.Environment["AWS_REGION"] = sourceRegion;
        start.Environment["DESTINATION_REGIONS"] = destinationRegions;
        start.Environment["AWS_ACCESS_KEY_ID"] = "test";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "test";
        start.Environment["AWS_LAMBDA_LOG_LEVEL"] = "WARN";
        if (endpoint is not null)
        {
            start.Environment["AWS_ENDPOINT_URL_ECR"] = endpoint;
        }

        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {command}");
        process.OutputDataReceived += (_, e) => Forward(e.Data);
        process.ErrorDataReceived += (_, e) => Forward(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static bool IsProxyVariable(string name) =>
        name.ToUpperInvariant() is "HTTP_PROXY" or "HTTPS_PROXY" or "ALL_PROXY" or "NO_PROXY";

    /// <summary>Peak resident set size so far (VmHWM, kB) from /proc; read before the process is stopped.</summary>
    public static long PeakRssKb(Process process)
    {
        foreach (var line in File.ReadLines($"/proc/{process.Id}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return -1;
    }

    /// <summary>User + system CPU seconds of a process so far (/proc/PID/stat utime and stime, in USER_HZ = 100 ticks a second).</summary>
    public static double CpuSeconds(int pid)
    {
        var (user, system) = CpuTicks(pid);
        return (user + system) / 100.0;
    }

    /// <summary>
    /// The system (kernel) part of <see cref="CpuSeconds"/>: for a copy, mostly the socket reads and writes of the
    /// layer and its base64 bodies, which the .NET floor (hashing one buffer in memory) does not pay.
    /// </summary>
    public static double SystemCpuSeconds(int pid) => CpuTicks(pid).System / 100.0;

    /// <summary>
    /// Minor page faults of a process so far (/proc/PID/stat field 10): mostly the first touch of each page it
    /// allocated, which on the bench's VM costs about 9 us of system time each (the host backs the page then).
    /// </summary>
    public static long MinorFaults(int pid) => long.Parse(StatFields(pid)[7], System.Globalization.CultureInfo.InvariantCulture);

    private static (long User, long System) CpuTicks(int pid)
    {
        // utime and stime are fields 14 and 15.
        var fields = StatFields(pid);
        return (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture), long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>/proc/PID/stat from field 3 on: the fields after the command name, which may hold spaces.</summary>
    private static string[] StatFields(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }

    public static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        process.WaitForExit();
    }

    // Warnings and errors only (AWS_LAMBDA_LOG_LEVEL=WARN); EMF metric lines are dropped to keep the run readable.
    private static void Forward(string? line)
    {
        if (line is not null && !line.Contains("\"_aws\"", StringComparison.Ordinal))
        {
            Console.Error.WriteLine(line);
        }
    }
}
