using System.Diagnostics;

namespace Replicator.Function.Tests.Runtime;

/// <summary>
/// tools/LocalLambdaHost as scripts/invoke-local.sh runs it: the event file and the bootstrap are paths the caller
/// types, and --timeout is passed on from the script's own arguments. A mistake in any of them is one line on stderr
/// naming it and the host's usage exit code (64), before any Runtime API is started; before, each was an unhandled
/// exception (FileNotFoundException, FormatException, Win32Exception): a stack trace and exit 134.
/// </summary>
public sealed class LocalLambdaHostProgramTests : IDisposable
{
    private const int UsageExitCode = 64;
    private readonly string _work = Directory.CreateTempSubdirectory("local-lambda-host-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task An_event_file_that_does_not_exist_is_named_in_one_line()
    {
        var missing = Path.Combine(_work, "pushh.json");

        var (exitCode, error) = await RunAsync(missing, "--bootstrap", Executable());

        Assert.Equal(UsageExitCode, exitCode);
        AssertOneLine(error, $"cannot read the event file {missing}");
    }

    [Theory]
    [InlineData("5m")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("NaN")]
    public async Task A_timeout_that_is_not_a_positive_number_of_seconds_is_named_in_one_line(string timeout)
    {
        var (exitCode, error) = await RunAsync(EventFile(), "--bootstrap", Executable(), "--timeout", timeout);

        Assert.Equal(UsageExitCode, exitCode);
        AssertOneLine(error, $"--timeout must be a number of seconds greater than 0, not '{timeout}'");
    }

    [Fact]
    public async Task A_bootstrap_that_does_not_exist_is_named_in_one_line()
    {
        // BOOTSTRAP=/wrong/path scripts/invoke-local.sh ... hands the host a path that is not there.
        var missing = Path.Combine(_work, "publish", "bootstrap");

        var (exitCode, error) = await RunAsync(EventFile(), "--bootstrap", missing);

        Assert.Equal(UsageExitCode, exitCode);
        AssertOneLine(error, $"--bootstrap {missing}: no such file");
    }

    [Fact]
    public async Task A_bootstrap_that_cannot_be_started_is_named_in_one_line()
    {
        // A file without the execute bit (copied from another machine, say): the OS refuses to start it.
        var notExecutable = EventFile();

        var (exitCode, error) = await RunAsync(EventFile(), "--bootstrap", notExecutable);

        Assert.Equal(UsageExitCode, exitCode);
        AssertOneLine(error, $"--bootstrap {notExecutable}: could not start it");
    }

    private static void AssertOneLine(string error, string expectedStart)
    {
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(expectedStart, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    private string EventFile()
    {
        var path = Path.Combine(_work, "event.json");
        File.WriteAllText(path, "{\"Records\":[]}");
        return path;
    }

    // Never started by these tests (each stops before the bootstrap runs), but a real executable, so that only the
    // argument under test is wrong.
    private static string Executable() => OperatingSystem.IsWindows() ? Environment.ProcessPath! : "/bin/sh";

    private static async Task<(int ExitCode, string Error)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "LocalLambdaHost.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
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

        Assert.Equal(string.Empty, await stdout);
        return (process.ExitCode, await stderr);
    }
}
