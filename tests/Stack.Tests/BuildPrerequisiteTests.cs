using Stack.Tests.Support;

namespace Stack.Tests;

/// <summary>
/// `make build-ReplicatorFunction` refuses in one line when the host lacks what Native AOT needs. Each test runs the
/// real Makefile with PATH set to a private directory of stand-in tools (uname, dotnet, clang), so a missing
/// prerequisite is simulated without touching the machine; nothing is published because the check runs first.
/// </summary>
public sealed class BuildPrerequisiteTests : IDisposable
{
    private readonly string _bin = Directory.CreateTempSubdirectory("replicator-make-path-").FullName;
    private readonly string _artifacts = Directory.CreateTempSubdirectory("replicator-make-artifacts-").FullName;

    [Fact]
    public void Refuses_without_the_dotnet_sdk()
    {
        Tool("uname", Uname("Linux", "x86_64"));
        Tool("clang", "exit 0");

        AssertRefused(Make("ARCHITECTURE=x86_64"), "the .NET SDK is missing");
    }

    [Fact]
    public void Refuses_with_only_an_older_dotnet_sdk()
    {
        Tool("uname", Uname("Linux", "x86_64"));
        Tool("dotnet", DotnetSdks("8.0.404"));
        Tool("clang", "exit 0");

        AssertRefused(Make("ARCHITECTURE=x86_64"), "the .NET 10 SDK is missing");
    }

    [Fact]
    public void Refuses_without_clang_or_gcc()
    {
        Tool("uname", Uname("Linux", "x86_64"));
        Tool("dotnet", DotnetSdks("10.0.100"));

        AssertRefused(Make("ARCHITECTURE=x86_64"), "clang is missing");
    }

    [Fact]
    public void Refuses_when_the_compiler_cannot_link_zlib()
    {
        Tool("uname", Uname("Linux", "x86_64"));
        Tool("dotnet", DotnetSdks("10.0.100"));
        // A compiler that links everything except -lz, as on a host without zlib's development files.
        Tool("clang", """for a in "$@"; do [ "$a" = -lz ] && { echo "ld: cannot find -lz" >&2; exit 1; }; done; exit 0""");

        AssertRefused(Make("ARCHITECTURE=x86_64"), "zlib is missing");
    }

    [Fact]
    public void Refuses_an_arm64_build_on_an_x86_64_host()
    {
        Tool("uname", Uname("Linux", "x86_64"));
        Tool("dotnet", DotnetSdks("10.0.100"));
        Tool("clang", "exit 0");

        var result = Make("ARCHITECTURE=arm64");

        AssertRefused(result, "target architecture arm64 does not match this host (x86_64)");
        // Why, and the path that works: CI's cross build needs a sysroot and cross linker SAM's image does not have.
        Assert.Contains("the target's sysroot and a cross linker", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("sam build --use-container --config-env arm64", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_a_build_without_ARCHITECTURE_on_an_arm64_host_because_the_default_target_is_x86_64()
    {
        // The template's Architecture defaults to x86_64 and SAM passes the Makefile no architecture: an arm64 bootstrap
        // built by a plain `sam build` on an arm64 host would be deployed to an x86_64 function and fail at init.
        Tool("uname", Uname("Linux", "aarch64"));
        Tool("dotnet", DotnetSdks("10.0.100"));
        Tool("clang", "exit 0");

        var result = Make();

        AssertRefused(result, "target architecture x86_64 does not match this host (arm64)");
        Assert.Contains("ARCHITECTURE=arm64 sam build --config-env arm64", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_a_macos_host_and_points_at_the_container_build()
    {
        Tool("uname", Uname("Darwin", "arm64"));
        Tool("dotnet", DotnetSdks("10.0.100"));
        Tool("clang", "exit 0");

        var result = Make();

        AssertRefused(result, "only on Linux, this host is Darwin");
        Assert.Contains("sam build --use-container", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Passes_the_check_and_publishes_for_linux_x64_by_default_on_an_x86_64_host()
    {
        // Every prerequisite there: the check passes and make goes on to publish (the stand-in dotnet records its
        // arguments instead of publishing).
        Tool("uname", Uname("Linux", "x86_64"));
        Tool("dotnet", RecordingDotnet);
        Tool("clang", "exit 0");

        var result = Make();

        Assert.DoesNotContain("error:", result.StandardError, StringComparison.Ordinal);
        var published = File.ReadAllText(Path.Combine(_bin, "published"));
        Assert.Contains("publish src/Replicator.Function -c Release -r linux-x64", published, StringComparison.Ordinal);
    }

    [Fact]
    public void Passes_the_check_and_publishes_for_linux_arm64_on_an_arm64_host_given_ARCHITECTURE_arm64()
    {
        Tool("uname", Uname("Linux", "aarch64"));
        Tool("dotnet", RecordingDotnet);
        Tool("clang", "exit 0");

        var result = Make("ARCHITECTURE=arm64");

        Assert.DoesNotContain("error:", result.StandardError, StringComparison.Ordinal);
        var published = File.ReadAllText(Path.Combine(_bin, "published"));
        Assert.Contains("publish src/Replicator.Function -c Release -r linux-arm64", published, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        Directory.Delete(_bin, recursive: true);
        Directory.Delete(_artifacts, recursive: true);
    }

    private static string Uname(string system, string machine) =>
        $"""case "$1" in -s) echo {system} ;; -m) echo {machine} ;; *) echo {system} ;; esac""";

    private const string RecordingDotnet =
        """[ "$1" = --list-sdks ] && { echo "10.0.100 [/usr/share/dotnet/sdk]"; exit 0; }; echo "$@" > "${0%/*}/published"; exit 1""";

    private static string DotnetSdks(string version) =>
        $"""[ "$1" = --list-sdks ] && echo "{version} [/usr/share/dotnet/sdk]"; exit 0""";

    private void Tool(string name, string body)
    {
        var path = Path.Combine(_bin, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private ProcessResult Make(params string[] variables) =>
        ProcessRunner.Run(
            "make",
            ["build-ReplicatorFunction", "ARTIFACTS_DIR=" + _artifacts, .. variables],
            environment: new Dictionary<string, string> { ["PATH"] = _bin },
            unset: ["ARCHITECTURE"]);

    private void AssertRefused(ProcessResult result, string expected)
    {
        Assert.NotEqual(0, result.ExitCode);
        var errors = result.StandardError.Split('\n').Where(l => l.StartsWith("error: ", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1, "expected one error line: " + result.Describe());
        Assert.Contains(expected, errors[0], StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_bin, "published")), "make published despite the failed check");
        Assert.Empty(Directory.EnumerateFileSystemEntries(_artifacts));
    }
}
