using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using LocalEcr.Tests.Support;

namespace LocalEcr.Tests.Hosting;

/// <summary>The command-line LocalEcr as a real process: the ready line, signed calls, SIGTERM, exit codes.</summary>
public sealed partial class ProcessTests
{
    [GeneratedRegex(@"^LocalEcr listening on http://127\.0\.0\.1:(\d+)$")]
    private static partial Regex ReadyLine();

    private static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "LocalEcr.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }

    [Fact]
    public async Task Prints_one_ready_line_serves_signed_calls_and_stops_on_SIGTERM()
    {
        using var process = Start("--port", "0", "--account", "111122223333", "--access-key", "AK", "--secret-key", "SK");
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            var match = ReadyLine().Match(line ?? string.Empty);
            Assert.True(match.Success, $"unexpected ready line: '{line}'");

            using var http = new HttpClient();
            var body = "{}"u8.ToArray();
            using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{match.Groups[1].Value}/") { Content = new ByteArrayContent(body) };
            request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-amz-json-1.1");
            request.Headers.Add("X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken");
            TestSigner.Sign(request, body, "us-east-2", "AK", "SK", DateTime.UtcNow);
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("111122223333.dkr.ecr.us-east-2.amazonaws.com", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, process.ExitCode);
            Assert.Equal(string.Empty, await process.StandardOutput.ReadToEndAsync());
            Assert.Equal(string.Empty, await stderr);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    [Fact]
    public async Task Bad_arguments_exit_2_with_one_line_on_stderr()
    {
        using var process = Start("--port", "nope");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(2, process.ExitCode);
        Assert.Equal(string.Empty, await stdout);
        var lines = (await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("--port", Assert.Single(lines), StringComparison.Ordinal);
    }

    /// <summary>
    /// A --data-dir that is a file (or a folder that cannot be created or written) is named as --data-dir's fault, a
    /// bad argument; it was reported as "cannot listen on 127.0.0.1:0: ..." (exit 1), and, denied, as an unhandled
    /// UnauthorizedAccessException with its stack trace.
    /// </summary>
    [Fact]
    public async Task A_data_dir_that_is_not_a_writable_folder_exits_2_naming_it()
    {
        var file = Path.GetTempFileName();
        try
        {
            var (exitCode, stdout, stderr) = await RunToExitAsync("--data-dir", file);

            Assert.Equal(2, exitCode);
            Assert.Equal(string.Empty, stdout);
            var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith($"LocalEcr: --data-dir {file} is not a folder LocalEcr can write in: ", line, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// A --data-dir whose layout LocalEcr cannot prepare (a file named "uploads" where it keeps its uploads) is
    /// --data-dir's fault too, not the port's.
    /// </summary>
    [Fact]
    public async Task A_data_dir_whose_uploads_folder_is_a_file_exits_2_naming_it()
    {
        var dir = Directory.CreateTempSubdirectory("localecr-layout-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir, "uploads"), "not a folder");

            var (exitCode, stdout, stderr) = await RunToExitAsync("--port", "0", "--data-dir", dir);

            Assert.True(exitCode == 2, $"exit {exitCode}: {stderr}");
            Assert.Equal(string.Empty, stdout);
            var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith($"LocalEcr: --data-dir {dir}", line, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// A --data-dir another LocalEcr is using (here one in the test's own process) is named as --data-dir's fault, a bad
    /// argument (exit 2), not as "cannot listen on ...", and the process touches nothing in it.
    /// </summary>
    [Fact]
    public async Task A_data_dir_another_server_uses_exits_2_naming_it()
    {
        var dir = Directory.CreateTempSubdirectory("localecr-shared-").FullName;
        try
        {
            await using var first = await LocalEcrServer.StartAsync(new LocalEcrOptions { DataDirectory = dir });

            var (exitCode, stdout, stderr) = await RunToExitAsync("--port", "0", "--data-dir", dir);

            Assert.Equal(2, exitCode);
            Assert.Equal(string.Empty, stdout);
            var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Equal($"LocalEcr: --data-dir {dir}: the data directory {dir} is in use by another LocalEcr server: give each server its own", line);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// An address of no interface of this machine: the OS refuses the bind (EADDRNOTAVAIL; nothing is sent), which
    /// Kestrel throws as a SocketException, not the IOException of a port in use. It was an unhandled exception.
    /// </summary>
    [Fact]
    public async Task A_bind_the_OS_refuses_exits_1_in_one_line()
    {
        var (exitCode, stdout, stderr) = await RunToExitAsync("--host", "192.0.2.1");

        Assert.Equal(1, exitCode);
        Assert.Equal(string.Empty, stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("LocalEcr: cannot listen on 192.0.2.1:0: ", line, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunToExitAsync(params string[] args)
    {
        using var process = Start(args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Help_prints_the_usage_on_stdout_and_exits_0_without_starting(string help)
    {
        // Before, --help was read as an option without its value: "option '--help' needs a value", exit 2.
        using var process = Start(help);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, process.ExitCode);
        Assert.Equal(string.Empty, await stderr);
        Assert.StartsWith("usage: LocalEcr [--port N]", await stdout, StringComparison.Ordinal);
    }
}
