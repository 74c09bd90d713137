using Stack.Tests.Support;

namespace Stack.Tests;

/// <summary>
/// scripts/apt-get-retry.sh, which CI's apt-get download and install go through: a stale package index (one that names
/// a file the archive replaced) is refreshed and the command tried once more. A stand-in apt-get first on PATH logs
/// each call and fails downloads as told, so nothing is fetched.
/// </summary>
public sealed class AptGetRetryScriptTests : IDisposable
{
    private readonly StandInTools _tools = new();

    [Fact]
    public void A_download_that_fails_on_a_stale_index_is_retried_once_after_an_update()
    {
        AptGet(failingDownloads: 1);

        var result = Retry("download", "-q", "libssl3:arm64");

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Equal(["download -q libssl3:arm64", "update -qq", "download -q libssl3:arm64"], Calls());
    }

    [Fact]
    public void A_download_that_works_does_not_update_the_index()
    {
        AptGet(failingDownloads: 0);

        var result = Retry("download", "-q", "libssl3:arm64");

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Equal(["download -q libssl3:arm64"], Calls());
    }

    [Fact]
    public void A_download_that_fails_again_after_the_update_fails_without_more_tries()
    {
        AptGet(failingDownloads: 5);

        var result = Retry("download", "-q", "libssl3:arm64");

        Assert.Equal(100, result.ExitCode);
        Assert.Equal(["download -q libssl3:arm64", "update -qq", "download -q libssl3:arm64"], Calls());
    }

    [Fact]
    public void Ci_downloads_and_installs_through_it()
    {
        // A plain `apt-get download` or `apt-get install` in a CI script would go back to failing on a stale index.
        foreach (var script in new[] { RepositoryRoot.File(".ci", "run"), RepositoryRoot.File("scripts", "ci-arm64.sh") })
        {
            var direct = File.ReadAllLines(script).Where(l => !l.TrimStart().StartsWith('#') && System.Text.RegularExpressions.Regex.IsMatch(l, @"(^|[\s(;&|])apt-get\s+(download|install)\b"));
            Assert.Empty(direct);
        }
    }

    public void Dispose() => _tools.Dispose();

    // apt-get exits 100 on an error (https://manpages.debian.org/stable/apt/apt-get.8.en.html, DIAGNOSTICS).
    private void AptGet(int failingDownloads) =>
        _tools.Add("apt-get", $$"""
            dir="${0%/*}"
            echo "$*" >> "$dir/calls"
            [ "$1" = download ] || exit 0
            n=$(cat "$dir/failed" 2>/dev/null || echo 0)
            [ "$n" -ge {{failingDownloads}} ] && exit 0
            echo $((n + 1)) > "$dir/failed"
            echo "E: Failed to fetch http://deb.debian.org/debian-security/pool/libssl3_arm64.deb  404  Not Found" >&2
            exit 100
            """);

    private string[] Calls() => File.ReadAllLines(Path.Combine(_tools.Directory, "calls"));

    private ProcessResult Retry(params string[] arguments) =>
        ProcessRunner.Run(
            "bash",
            [RepositoryRoot.File("scripts", "apt-get-retry.sh"), .. arguments],
            environment: new Dictionary<string, string> { ["PATH"] = _tools.Directory + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH") });
}
