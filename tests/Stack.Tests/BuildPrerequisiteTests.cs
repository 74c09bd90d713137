using Stack.Tests.Support;

namespace Stack.Tests;

/// <summary>
/// `make build-ReplicatorFunction` refuses in one line when the host lacks what Native AOT needs. Each test runs the
/// real Makefile with PATH set to a private directory of stand-in tools (uname, dotnet, clang), so a missing
/// prerequisite is simulated without touching the machine; nothing is published because the check runs first.
/// </summary>
public sealed class BuildPrerequisiteTests : IDisposable
{
    private readonly StandInTools _tools = new();
    private readonly string _artifacts = Directory.CreateTempSubdirectory("replicator-make-artifacts-").FullName;

    [Fact]
    public void Refuses_without_the_dotnet_sdk()
    {
        _tools.Add("uname", StandInTools.Uname("Linux", "x86_64"));
        _tools.Add("clang", "exit 0");

        AssertRefused(Make("ARCHITECTURE=x86_64"), "the .NET SDK is missing");
    }

    [Fact]
    public void Refuses_with_only_an_older_dotnet_sdk()
    {
        _tools.Add("uname", StandInTools.Uname("Linux", "x86_64"));
        _tools.Add("dotnet", StandInTools.RecordingDotnet("8.0.404"));
        _tools.Add("clang", "exit 0");

        AssertRefused(Make("ARCHITECTURE=x86_64"), "the .NET 10 SDK is missing");
    }

    [Fact]
    public void Refuses_without_clang_or_gcc()
    {
        _tools.Add("uname", StandInTools.Uname("Linux", "x86_64"));
        _tools.Add("dotnet", StandInTools.RecordingDotnet());

        AssertRefused(Make("ARCHITECTURE=x86_64"), "clang is missing");
    }

    [Fact]
    public void Refuses_when_the_compiler_cannot_link_zlib()
    {
        _tools.Add("uname", StandInTools.Uname("Linux", "x86_64"));
        _tools.Add("dotnet", StandInTools.RecordingDotnet());
        _tools.Add("objcopy", "exit 0");
        _tools.Add("readelf", "exit 0");
        // A compiler that links everything except -lz, as on a host without zlib's development files.
        _tools.Add("clang", """for a in "$@"; do [ "$a" = -lz ] && { echo "ld: cannot find -lz" >&2; exit 1; }; done; exit 0""");

        AssertRefused(Make("ARCHITECTURE=x86_64"), "zlib is missing");
    }

    [Fact]
    public void Refuses_a_compiler_that_cannot_link_at_all_naming_the_linker_not_zlib()
    {
        _tools.Add("uname", StandInTools.Uname("Linux", "x86_64"));
        _tools.Add("dotnet", StandInTools.RecordingDotnet());
        _tools.Add("objcopy", "exit 0");
        _tools.Add("readelf", "exit 0");
        // clang without a linker (or the C library's development files) links nothing, zlib or not.
        _tools.Add("clang", """echo 'clang: error: unable to execute command: Executable "ld" does not exist!' >&2; exit 1""");

        AssertRefused(Make("ARCHITECTURE=x86_64"), "clang cannot link a C program");
    }

    [Fact]
    public void Refuses_without_binutils()
    {
        // objcopy strips the bootstrap (StripSymbols) and readelf reads its glibc needs after the publish.
        _tools.Add("uname", StandInTools.Uname("Linux", "x86_64"));
        _tools.Add("dotnet", StandInTools.RecordingDotnet());
        _tools.Add("clang", "exit 0");
        _tools.Add("readelf", "exit 0");

        AssertRefused(Make("ARCHITECTURE=x86_64"), "objcopy is missing (binutils");
    }

    // After the publish, the bootstrap's glibc needs (readelf -V) must not pass Amazon Linux 2023's 2.34: a host with a
    // newer glibc can link symbols Lambda's provided.al2023 lacks, and the function would fail at init.
    [Fact]
    public void Refuses_a_published_bootstrap_that_needs_a_newer_glibc_than_amazon_linux_2023()
    {
        PublishingPrerequisites("GLIBC_2.2.5 GLIBC_2.34 GLIBC_2.38 GLIBC_2.17");

        var result = MakeWithSystemTools();

        Assert.NotEqual(0, result.ExitCode);
        var errors = result.StandardError.Split('\n').Where(l => l.StartsWith("error: ", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1, "expected one error line: " + result.Describe());
        Assert.Contains("needs GLIBC_2.38, newer than the 2.34 of Amazon Linux 2023", errors[0], StringComparison.Ordinal);
        Assert.Contains("sam build --use-container", errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Keeps_a_published_bootstrap_whose_glibc_needs_amazon_linux_2023_meets_and_only_it()
    {
        PublishingPrerequisites("GLIBC_2.2.5 GLIBC_2.34 GLIBC_2.17 GLIBC_2.3.4");

        var result = MakeWithSystemTools();

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Equal(["bootstrap"], Directory.EnumerateFileSystemEntries(_artifacts).Select(Path.GetFileName));
    }

    // ARTIFACTS_DIR=. (or an ARTIFACTS_DIR exported for something else) names a directory holding more than the build's
    // output: the build adds bootstrap and deletes nothing there, where it once removed all but bootstrap, .git included.
    // The publish goes to a directory of its own, which is gone afterwards with the symbol file written into it.
    [Fact]
    public void Adds_only_the_bootstrap_and_deletes_nothing_the_artifacts_directory_already_holds()
    {
        PublishingPrerequisites("GLIBC_2.2.5 GLIBC_2.34");
        File.WriteAllText(Path.Combine(_artifacts, "README.md"), "a file of the checkout");
        Directory.CreateDirectory(Path.Combine(_artifacts, ".git"));
        File.WriteAllText(Path.Combine(_artifacts, ".git", "HEAD"), "ref: refs/heads/main");

        var result = MakeWithSystemTools();

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Equal([".git", "README.md", "bootstrap"], Directory.EnumerateFileSystemEntries(_artifacts).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("a file of the checkout", File.ReadAllText(Path.Combine(_artifacts, "README.md")));
        Assert.Equal("ref: refs/heads/main", File.ReadAllText(Path.Combine(_artifacts, ".git", "HEAD")));
        var publishDirectory = File.ReadAllText(Path.Combine(_tools.Directory, "publish-dir")).Trim();
        Assert.NotEqual(Path.GetFullPath(_artifacts), Path.GetFullPath(publishDirectory));
        Assert.False(Directory.Exists(publishDirectory), $"the publish directory {publishDirectory} was left behind");
    }

    // The second row is a plain `sam build` on an arm64 host: the template's Architecture defaults to x86_64 and SAM
    // passes the Makefile no architecture, so an arm64 bootstrap built there would be deployed to an x86_64 function
    // and fail at init. Both say why (the Makefile does not cross-build: CI's cross build needs a sysroot and a cross
    // linker that SAM's image does not have) and the command that works.
    [Theory]
    [InlineData("x86_64", "ARCHITECTURE=arm64", "target architecture arm64 does not match this host (x86_64)", "sam build --use-container --config-env arm64")]
    [InlineData("aarch64", "", "target architecture x86_64 does not match this host (arm64)", "ARCHITECTURE=arm64 sam build --config-env arm64")]
    public void Refuses_a_target_architecture_other_than_the_hosts_and_says_why_and_what_works(string machine, string variable, string refusal, string works)
    {
        AllPrerequisites("Linux", machine);

        var result = Make(Given(variable));

        AssertRefused(result, refusal);
        Assert.Contains("the target's sysroot and a cross linker", result.StandardError, StringComparison.Ordinal);
        Assert.Contains(works, result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_a_macos_host_and_points_at_the_container_build()
    {
        AllPrerequisites("Darwin", "arm64");

        var result = Make();

        AssertRefused(result, "only on Linux, this host is Darwin: build in SAM's build image instead: sam build --use-container");
    }

    // With every prerequisite the check passes and make goes on to publish (the stand-in dotnet records its arguments
    // instead of publishing): for x86_64 when ARCHITECTURE is not given, for arm64 on an arm64 host when it is. The
    // recipe makes the publish directory with the system's mktemp, so the system's tools follow the stand-ins on PATH.
    [Theory]
    [InlineData("x86_64", "", "linux-x64")]
    [InlineData("aarch64", "ARCHITECTURE=arm64", "linux-arm64")]
    public void Passes_the_check_and_publishes_for_the_target_architecture_on_a_host_of_that_architecture(string machine, string variable, string runtime)
    {
        AllPrerequisites("Linux", machine);

        var result = MakeOnPath(_tools.Directory + Path.PathSeparator + "/usr/bin" + Path.PathSeparator + "/bin", Given(variable));

        Assert.DoesNotContain("error:", result.StandardError, StringComparison.Ordinal);
        Assert.Contains($"publish src/Replicator.Function -c Release -r {runtime}", _tools.Recorded, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _tools.Dispose();
        Directory.Delete(_artifacts, recursive: true);
    }

    private void AllPrerequisites(string system, string machine)
    {
        _tools.Add("uname", StandInTools.Uname(system, machine));
        _tools.Add("dotnet", StandInTools.RecordingDotnet());
        _tools.Add("clang", "exit 0");
        _tools.Add("objcopy", "exit 0");
        _tools.Add("readelf", "exit 0");
    }

    /// <summary>
    /// Every prerequisite on a Linux x86_64 host, a dotnet whose publish writes a bootstrap and its symbol file into
    /// the -o directory (and that directory's path to publish-dir beside itself), and a readelf -V that lists
    /// <paramref name="glibcVersions"/> as the bootstrap's needs.
    /// </summary>
    private void PublishingPrerequisites(string glibcVersions)
    {
        AllPrerequisites("Linux", "x86_64");
        _tools.Add("dotnet", """
            [ "$1" = --list-sdks ] && { echo "10.0.100 [/usr/share/dotnet/sdk]"; exit 0; }
            while [ $# -gt 0 ]; do [ "$1" = -o ] && out="$2"; shift; done
            echo "$out" > "${0%/*}/publish-dir"
            printf 'ELF' > "$out/bootstrap" && chmod +x "$out/bootstrap" && printf 'symbols' > "$out/bootstrap.dbg"
            """);
        _tools.Add("readelf", $$"""
            echo "Version needs section '.gnu.version_r' contains 1 entry:"
            echo " Addr: 0x0000000000000000  Offset: 0x000000  Link: 6 (.dynstr)"
            echo "  000000: Version: 1  File: libc.so.6  Cnt: 4"
            n=2; for v in {{glibcVersions}}; do echo "  0x0010:   Name: $v  Flags: none  Version: $n"; n=$((n+1)); done
            """);
    }

    // The recipe needs the system's mktemp, cp, grep, sed and sort; the stand-ins come first.
    private ProcessResult MakeWithSystemTools() => MakeOnPath(_tools.Directory + Path.PathSeparator + "/usr/bin" + Path.PathSeparator + "/bin", []);

    private static string[] Given(string variable) => variable.Length > 0 ? [variable] : [];

    private ProcessResult Make(params string[] variables) => MakeOnPath(_tools.Directory, variables);

    private ProcessResult MakeOnPath(string path, string[] variables) =>
        ProcessRunner.Run(
            "make",
            ["build-ReplicatorFunction", "ARTIFACTS_DIR=" + _artifacts, .. variables],
            environment: new Dictionary<string, string> { ["PATH"] = path },
            unset: ["ARCHITECTURE"]);

    private void AssertRefused(ProcessResult result, string expected)
    {
        Assert.NotEqual(0, result.ExitCode);
        var errors = result.StandardError.Split('\n').Where(l => l.StartsWith("error: ", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1, "expected one error line: " + result.Describe());
        Assert.Contains(expected, errors[0], StringComparison.Ordinal);
        Assert.Null(_tools.Recorded);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_artifacts));
    }
}
