using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BenchDriver;

/// <summary>
/// coldstart: time from Process.Start of the function to the arrival of its first
/// `GET /2018-06-01/runtime/invocation/next` on a bare loopback socket (no HTTP stack in the way, so the
/// listener adds nothing measurable). Prints one line per run, in milliseconds: wall, on-CPU, run-queue wait.
/// <c>--settings stack</c> starts it with <see cref="FunctionProcess.StackDefaults"/> too; <c>minimal</c> (the default)
/// with the destinations and credentials alone.
/// </summary>
internal static class ColdStartCommand
{
    private const string NextRequestLine = "GET /2018-06-01/runtime/invocation/next";

    public static async Task<int> RunAsync(Options options)
    {
        var command = options.Get("command");
        var runs = (int)options.GetLong("runs", 5);
        var settings = options.Get("settings", "minimal") switch
        {
            "minimal" => null,
            "stack" => FunctionProcess.StackDefaults,
            var other => throw new ArgumentException($"--settings {other}: expected minimal or stack"),
        };
        for (var run = 0; run < runs; run++)
        {
            // A listener per run: the stopped function's runtime client may have connected again before it was killed
            // (its next GET, once the first connection closed), and the next run would take that stale request line
            // from a shared listener's backlog and time it at a few milliseconds.
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var address = $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
            var accept = listener.AcceptTcpClientAsync();
            var clock = Stopwatch.StartNew();
            using var function = FunctionProcess.Start(command, address, null, "us-east-1", "us-west-2", settings);
            try
            {
                using var client = await accept.WaitAsync(TimeSpan.FromSeconds(30));
                var line = await ReadRequestLineAsync(client.GetStream());
                var elapsed = clock.Elapsed.TotalMilliseconds;
                if (!line.StartsWith(NextRequestLine, StringComparison.Ordinal))
                {
                    Console.Error.WriteLine($"unexpected first request: {line}");
                    return 1;
                }

                var (onCpu, waiting) = SchedStat(function.Id);
                Console.WriteLine(string.Join('\t', new[] { elapsed, onCpu, waiting }.Select(v => v.ToString("F2", CultureInfo.InvariantCulture))));
            }
            finally
            {
                FunctionProcess.Stop(function);
            }
        }

        return 0;
    }

    /// <summary>
    /// Milliseconds every thread of the process spent on a CPU and waiting in a run queue so far
    /// (/proc/PID/task/TID/schedstat, nanoseconds): the cold start's own cost, and what a busy machine added.
    /// </summary>
    private static (double OnCpu, double Waiting) SchedStat(int pid)
    {
        long onCpu = 0, waiting = 0;
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                var fields = File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ');
                onCpu += long.Parse(fields[0], CultureInfo.InvariantCulture);
                waiting += long.Parse(fields[1], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The thread ended between the listing and the read.
            }
        }

        return (onCpu / 1e6, waiting / 1e6);
    }

    private static async Task<string> ReadRequestLineAsync(NetworkStream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (await stream.ReadAsync(one) == 1 && one[0] != (byte)'\n')
        {
            bytes.Add(one[0]);
        }

        return Encoding.ASCII.GetString(bytes.ToArray()).TrimEnd('\r');
    }
}
