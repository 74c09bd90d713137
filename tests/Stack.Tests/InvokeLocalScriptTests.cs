using Stack.Tests.Support;

namespace Stack.Tests;

/// <summary>
/// scripts/invoke-local.sh publishes the Native AOT bootstrap for the host it runs on, which must be Linux. Stand-in
/// uname and dotnet first on PATH simulate the host; the stand-in dotnet records its arguments and fails, so nothing
/// is published or run.
/// </summary>
public sealed class InvokeLocalScriptTests : IDisposable
{
    private readonly StandInTools _tools = new();

    [Theory]
    [InlineData("x86_64", "linux-x64")]
    [InlineData("aarch64", "linux-arm64")]
    public void Publishes_the_bootstrap_for_the_linux_runtime_of_the_hosts_architecture(string machine, string runtime)
    {
        _tools.Add("uname", StandInTools.Uname("Linux", machine));

        var result = InvokeLocal();

        Assert.Contains($"publish src/Replicator.Function -c Release -r {runtime} -o {RepositoryRoot.Path}/artifacts/invoke-local/{runtime} ", _tools.Recorded, StringComparison.Ordinal);
        Assert.NotEqual(0, result.ExitCode);
    }

    [Fact]
    public void Refuses_in_one_line_on_a_host_that_is_not_linux()
    {
        _tools.Add("uname", StandInTools.Uname("Darwin", "arm64"));

        var result = InvokeLocal();

        Assert.Equal(1, result.ExitCode);
        var error = Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: invoke-local.sh builds and runs the Linux bootstrap, so it needs a Linux host (this one is Darwin)", error, StringComparison.Ordinal);
        Assert.Null(_tools.Recorded);
    }

    /// <summary>
    /// A mistyped event path is refused before the publish, which takes minutes the first time; before, it was found
    /// only after the Native AOT build, by LocalLambdaHost.
    /// </summary>
    [Fact]
    public void Refuses_an_event_file_that_does_not_exist_in_one_line_before_publishing()
    {
        _tools.Add("uname", StandInTools.Uname("Linux", "x86_64"));
        var missing = RepositoryRoot.File("events", "pushh.json");

        var result = InvokeLocal(missing);

        Assert.Equal(2, result.ExitCode);
        var error = Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: the event file {missing} cannot be read", error, StringComparison.Ordinal);
        Assert.Null(_tools.Recorded);
    }

    /// <summary>
    /// No event at all is the same usage error as a missing one (exit 2, one line naming the usage), not bash's
    /// parameter-expansion message with a line number and exit 1.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Refuses_a_call_without_an_event_file_in_one_line_naming_the_usage(bool emptyArgument)
    {
        _tools.Add("uname", StandInTools.Uname("Linux", "x86_64"));

        var result = InvokeLocal(arguments: emptyArgument ? [""] : []);

        Assert.Equal(2, result.ExitCode);
        var error = Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("error: no event file given (usage: scripts/invoke-local.sh EVENT.json [--timeout SECONDS])", error);
        Assert.Null(_tools.Recorded);
    }

    public void Dispose() => _tools.Dispose();

    private ProcessResult InvokeLocal(string? eventFile = null, string[]? arguments = null)
    {
        _tools.Add("dotnet", StandInTools.RecordingDotnet());
        return ProcessRunner.Run(
            "bash",
            [RepositoryRoot.File("scripts", "invoke-local.sh"), .. arguments ?? [eventFile ?? RepositoryRoot.File("events", "push.json")]],
            environment: new Dictionary<string, string> { ["PATH"] = _tools.Directory + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH") },
            unset: ["BOOTSTRAP"]);
    }
}
