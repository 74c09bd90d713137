using Stack.Tests.Support;

namespace Stack.Tests;

/// <summary>
/// bench/run.sh installs the tools it runs when they are missing. curl is one of them (it polls each registry until it
/// answers): without it the poll loop would end in "docker-registry ... did not start", which names the wrong tool.
/// The script runs on a PATH of stand-ins that lacks curl, with an apt-get that records its arguments and fails every
/// install, so nothing is installed or built.
/// </summary>
public sealed class BenchToolInstallTests : IDisposable
{
    private readonly StandInTools _tools = new();

    [Fact]
    public void Installs_curl_when_the_host_lacks_it()
    {
        foreach (var program in new[] { "dirname", "mktemp", "mkdir", "date", "rm", "cut" })
        {
            File.CreateSymbolicLink(Path.Combine(_tools.Directory, program), Which(program));
        }

        _tools.Add("skopeo", "exit 0");
        _tools.Add("docker-registry", "exit 0");
        _tools.Add("apt-get", """echo "$@" >> "${0%/*}/recorded"; [ "$1" = update ]""");

        var result = ProcessRunner.Run(
            Which("bash"),
            [RepositoryRoot.File("bench", "run.sh"), "1"],
            // OUT inside the stand-ins' directory: the script keeps its results folder, which would otherwise stay in /tmp.
            environment: new Dictionary<string, string> { ["PATH"] = _tools.Directory, ["OUT"] = Path.Combine(_tools.Directory, "out") },
            unset: ["SECTIONS"]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.NotNull(_tools.Recorded);
        Assert.Matches(@"install .*\bcurl\b", _tools.Recorded);
    }

    public void Dispose() => _tools.Dispose();

    private static string Which(string program) =>
        new[] { "/usr/bin", "/bin" }.Select(directory => Path.Combine(directory, program)).First(File.Exists);
}
