using Stack.Tests.Support;

namespace Stack.Tests;

/// <summary>
/// bench/test_bench.py: the bench's arithmetic and ordering on small fixtures (the throughput pair takes turns going
/// first, the ratio is the median of per-run ratios, VmHWM's KiB are reported as MiB and held to 200 MB). Runs no
/// copy and times nothing; bench/ is not in the solution, so this is where `dotnet test` reaches those checks.
/// </summary>
public sealed class BenchScriptTests
{
    [Fact]
    public void The_bench_scripts_pass_their_fixture_checks()
    {
        var result = ProcessRunner.Run("python3", ["-B", RepositoryRoot.File("bench", "test_bench.py")]);

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Contains("OK", result.StandardError, StringComparison.Ordinal);
    }
}
