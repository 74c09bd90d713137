using System.Text.RegularExpressions;
using Replicator.Cli.Tests.Support;
using Replicator.Testing;

namespace Replicator.Cli.Tests.Packaging;

/// <summary>
/// The CLI as users get it: `dotnet publish` and `dotnet pack` of src/Replicator.Cli, and the package installed as a
/// .NET tool from a local folder. Both reuse the builds `dotnet test` just made of the other projects, so they add
/// one compile of the CLI, not of the solution, and touch no other project's obj/ while the function's publish test
/// runs. Both tests live in one class because xunit runs a class's tests one at a time: they share the CLI's obj/.
/// </summary>
public sealed partial class ToolPackageTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("replicator-tool-").FullName;

    [Fact]
    public async Task Publish_of_the_cli_makes_one_self_contained_command_that_runs_the_demo()
    {
        var output = Path.Combine(_work, "publish");

        // The command users type, plus one property: the referenced projects were built by `dotnet test` already,
        // and building them again here would race with the function's own publish test in another process. The
        // CLI itself is compiled again, for this machine's runtime identifier, in an obj/ directory of its own.
        // RestoreRecursive=false: the publish restores the CLI alone, so no referenced project's obj/ (read by builds
        // still running in other test processes) is rewritten for the publish's properties.
        var publish = await Dotnet("publish", "src/Replicator.Cli", "-c", BuildOutput.Configuration, "-o", output, "-nologo", "-p:BuildProjectReferences=false", "-p:RestoreRecursive=false");

        Assert.True(publish.ExitCode == 0, publish.ToString());
        var command = OperatingSystem.IsWindows() ? "replicator.exe" : "replicator";
        // One file: no replicator.dll to start with `dotnet`, no runtimeconfig.json asking for an installed runtime,
        // and none of the referenced executables' launchers.
        Assert.Equal([command], Directory.EnumerateFileSystemEntries(output).Select(Path.GetFileName));
        var version = await ProcessRun.RunAsync(Path.Combine(output, command), ["--version"], _work);
        Assert.True(version.ExitCode == 0, version.ToString());
        await AssertVersionNamesTheCommit(version.Output);

        // The bundle holds what the demo loads at run time: LocalEcr's web host and ECR model, the function.
        var demo = await ProcessRun.RunAsync(Path.Combine(output, command), ["demo"], _work);
        Assert.True(demo.ExitCode == 0, demo.ToString());
        Assert.Contains("Proof holds", demo.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pack_makes_the_ecr_replicator_tool_that_installs_offline_as_the_replicator_command()
    {
        var feed = Path.Combine(_work, "feed");
        var toolPath = Path.Combine(_work, "tools");

        var pack = await Dotnet("pack", "src/Replicator.Cli", "--no-build", "-c", BuildOutput.Configuration, "-o", feed, "-nologo");
        Assert.True(pack.ExitCode == 0, pack.ToString());
        Assert.Single(Directory.GetFiles(feed, "ecr-replicator.*.nupkg"));

        // Only the local folder as a source, and a private package cache, so the install is offline and cannot
        // pick up an older ecr-replicator from the user's cache.
        var config = Path.Combine(_work, "nuget.config");
        await File.WriteAllTextAsync(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration><packageSources><clear /><add key="local" value="{feed}" /></packageSources></configuration>
            """);
        var install = await ProcessRun.RunAsync(
            "dotnet",
            ["tool", "install", "ecr-replicator", "--tool-path", toolPath, "--configfile", config],
            _work,
            new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(_work, "packages") },
            timeout: BuildTimeLimit);
        Assert.True(install.ExitCode == 0, install.ToString());

        var command = Path.Combine(toolPath, OperatingSystem.IsWindows() ? "replicator.exe" : "replicator");
        var version = await ProcessRun.RunAsync(command, ["--version"], _work);
        Assert.True(version.ExitCode == 0, version.ToString());
        await AssertVersionNamesTheCommit(version.Output);
    }

    [Fact]
    public async Task Pack_without_an_output_writes_to_the_artifacts_folder_the_install_command_reads()
    {
        // `dotnet pack src/Replicator.Cli`, then `dotnet tool install --global --add-source ./artifacts ecr-replicator`,
        // both from the repository root: evaluated, not packed, so it writes nothing into the repository.
        var property = await Dotnet("msbuild", "src/Replicator.Cli", "-getProperty:PackageOutputPath", "-nologo");

        Assert.True(property.ExitCode == 0, property.ToString());
        Assert.Equal(
            Path.TrimEndingDirectorySeparator(Path.Combine(RepositoryRoot.Path, "artifacts")),
            Path.TrimEndingDirectorySeparator(property.Output.Trim()));
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    /// <summary>
    /// A publish compiles and bundles the CLI while `dotnet test` may still be building other projects and the function's
    /// Native AOT publish test runs: on a loaded 2-vCPU machine that can outlast the default limit, so these get the
    /// AOT publish's own (PublishedBootstrap), still under the test command's 45-minute hang timeout.
    /// </summary>
    private static readonly TimeSpan BuildTimeLimit = TimeSpan.FromMinutes(40);

    private Task<ProcessRun> Dotnet(params string[] arguments) =>
        ProcessRun.RunAsync("dotnet", arguments, RepositoryRoot.Path, new Dictionary<string, string> { ["NUGET_PACKAGES"] = NuGetCache }, timeout: BuildTimeLimit);

    /// <summary>The user's package cache (restore already filled it): publish and pack must not look elsewhere.</summary>
    private static string NuGetCache =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } cache
            ? cache
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private static async Task AssertVersionNamesTheCommit(string output)
    {
        var match = VersionLine().Match(output.Trim());
        Assert.True(match.Success, $"'{output.Trim()}' is not <version>+<commit>");
        var head = await ProcessRun.RunAsync("git", ["rev-parse", "HEAD"], RepositoryRoot.Path);
        Assert.True(head.ExitCode == 0, head.ToString());
        Assert.Equal(head.Output.Trim(), match.Groups["commit"].Value);
    }

    [GeneratedRegex(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?\+(?<commit>[0-9a-f]{40})$")]
    private static partial Regex VersionLine();
}
