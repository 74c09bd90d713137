using Stack.Tests.Support;

namespace Stack.Tests;

/// <summary>
/// scripts/test_coverage_report.py: the coverage summary merges the test projects' reports by the file's path under
/// src/ (each report names its files from a source directory of its own) and lists the lines no test runs. Runs no
/// coverage; scripts/ is not in the solution, so this is where `dotnet test` reaches those checks.
/// </summary>
public sealed class CoverageScriptTests
{
    [Fact]
    public void The_coverage_report_passes_its_fixture_checks()
    {
        var result = ProcessRunner.Run("python3", ["-B", RepositoryRoot.File("scripts", "test_coverage_report.py")]);

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Contains("OK", result.StandardError, StringComparison.Ordinal);
    }
}
