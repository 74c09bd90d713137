using Stack.Tests.Support;

namespace Stack.Tests;

/// <summary>
/// scripts/invoke-local.sh publishes the Native AOT bootstrap for the host it runs on, which must be Linux. Stand-in
/// uname and dotnet first on PATH simulate the host; the stand-in dotnet records its arguments and fails, so nothing
/// is published or run.
/// </summary>
public sealed class InvokeLocalScriptTests : IDisposable
{
    private readonly string _bin = Directory.CreateTempSubdirectory("replicator-invoke-local-path-").FullName;

    [Theory]
    [InlineData("x86_64", "linux-x64")]
    [InlineData("aarch64", "linux-arm64")]
    public void Publishes_the_bootstrap_for_the_linux_runtime_of_the_hosts_architecture(string machine, string runtime)
    {
        Tool("uname", Uname("Linux", machine));

        var result = InvokeLocal();

        var published = File.ReadAllText(Path.Combine(_bin, "published"));
        Assert.Contains($"publish src/Replicator.Function -c Release -r {runtime} -o {RepositoryRoot.Path}/artifacts/invoke-local/{runtime} ", published, StringComparison.Ordinal);
        Assert.NotEqual(0, result.ExitCode);
    }

    [Fact]
    public void Refuses_in_one_line_on_a_host_that_is_not_linux()
    {
        Tool("uname", Uname("Darwin", "arm64"));

        var result = InvokeLocal();

        Assert.Equal(1, result.ExitCode);
        var error = Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: invoke-local.sh builds and runs the Linux bootstrap, so it needs a Linux host (this one is Darwin)", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_bin, "published")), "published on a host that is not Linux");
    }

    public void Dispose() => Directory.Delete(_bin, recursive: true);

    private static string Uname(string system, string machine) =>
        $"""case "$1" in -s) echo {system} ;; -m) echo {machine} ;; *) echo {system} ;; esac""";

    private void Tool(string name, string body)
    {
        var path = Path.Combine(_bin, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private ProcessResult InvokeLocal()
    {
        Tool("dotnet", """echo "$@" > "${0%/*}/published"; exit 1""");
        return ProcessRunner.Run(
            "bash",
            [RepositoryRoot.File("scripts", "invoke-local.sh"), RepositoryRoot.File("events", "push.json")],
            environment: new Dictionary<string, string> { ["PATH"] = _bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH") },
            unset: ["BOOTSTRAP"]);
    }
}
