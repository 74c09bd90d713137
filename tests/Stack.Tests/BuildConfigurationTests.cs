using System.Text.Json.Nodes;
using Stack.Tests.Support;

namespace Stack.Tests;

public sealed class BuildConfigurationTests
{
    private static string DryRun(params string[] variables)
    {
        var result = ProcessRunner.Run("make", ["-n", "build-ReplicatorFunction", "ARCHITECTURE=x86_64", .. variables]);
        Assert.True(result.ExitCode == 0, "make -n build-ReplicatorFunction failed: " + result.Describe());
        return result.StandardOutput;
    }

    [Fact]
    public void Makefile_target_publishes_the_function_for_linux_x64_into_the_sam_artifacts_directory()
    {
        var commands = DryRun("ARTIFACTS_DIR=/tmp/artifacts-dir");

        // Published into a directory of its own, of which only bootstrap is copied (BuildPrerequisiteTests runs it).
        Assert.Contains("dotnet publish src/Replicator.Function -c Release -r linux-x64 -o \"$publish\"", commands, StringComparison.Ordinal);
        Assert.Contains("cp -p \"$publish/bootstrap\" \"/tmp/artifacts-dir/bootstrap\"", commands, StringComparison.Ordinal);
        Assert.Contains("scripts/check-build-prerequisites.sh \"x86_64\"", commands, StringComparison.Ordinal);
        Assert.Contains("test -x \"/tmp/artifacts-dir/bootstrap\"", commands, StringComparison.Ordinal);
    }

    [Fact]
    public void Makefile_target_builds_linux_arm64_for_the_arm64_architecture()
    {
        var commands = DryRun("ARTIFACTS_DIR=/tmp/artifacts-dir", "ARCHITECTURE=arm64");

        Assert.Contains("-r linux-arm64 ", commands, StringComparison.Ordinal);
        Assert.DoesNotContain("linux-x64", commands, StringComparison.Ordinal);
    }

    [Fact]
    public void Makefile_target_builds_x86_64_the_templates_default_when_no_ARCHITECTURE_is_given_whatever_the_host()
    {
        // SAM passes a makefile build no architecture; defaulting to the host's would let a plain `sam build` on an
        // arm64 host make an arm64 bootstrap for the template's default x86_64 function.
        var result = ProcessRunner.Run("make", ["-n", "build-ReplicatorFunction", "ARTIFACTS_DIR=/tmp/artifacts-dir"], unset: ["ARCHITECTURE"]);
        Assert.True(result.ExitCode == 0, "make -n build-ReplicatorFunction failed: " + result.Describe());

        Assert.Contains("scripts/check-build-prerequisites.sh \"x86_64\"", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("-r linux-x64 ", result.StandardOutput, StringComparison.Ordinal);
        Assert.Equal("x86_64", (string)StackTemplate.Raw["Parameters"]!["Architecture"]!["Default"]!);
    }

    [Fact]
    public void Makefile_target_refuses_to_run_without_an_artifacts_directory()
    {
        var result = ProcessRunner.Run("make", ["build-ReplicatorFunction", "ARTIFACTS_DIR="]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("ARTIFACTS_DIR is not set", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Function_project_publishes_an_aot_executable_named_bootstrap()
    {
        var project = File.ReadAllText(RepositoryRoot.File("src", "Replicator.Function", "Replicator.Function.csproj"));

        Assert.Contains("<AssemblyName>bootstrap</AssemblyName>", project, StringComparison.Ordinal);
        Assert.Contains("<PublishAot>true</PublishAot>", project, StringComparison.Ordinal);
    }

    [Fact]
    public void Samconfig_deploys_the_ecr_replicator_stack_with_a_reviewed_changeset_and_known_parameters()
    {
        var result = ProcessRunner.Run("python3", ["-c", "import json,sys,tomllib;print(json.dumps(tomllib.load(open(sys.argv[1],'rb'))))", RepositoryRoot.File("samconfig.toml")]);
        Assert.True(result.ExitCode == 0, "samconfig.toml is not valid TOML: " + result.Describe());
        var config = JsonNode.Parse(result.StandardOutput)!["default"]!;
        var deploy = config["deploy"]!["parameters"]!;

        Assert.Equal("ecr-replicator", (string)config["global"]!["parameters"]!["stack_name"]!);
        Assert.Equal("CAPABILITY_IAM CAPABILITY_AUTO_EXPAND", (string)deploy["capabilities"]!);
        Assert.True((bool)deploy["confirm_changeset"]!);
        Assert.True((bool)deploy["resolve_s3"]!);
        Assert.True((bool)config["build"]!["parameters"]!["cached"]!);
        // `sam build --use-container` must build in SAM's .NET 10 image (SDK, clang, zlib), not build-provided.al2023.
        var images = config["build"]!["parameters"]!["build_image"]!.AsArray().Select(i => (string)i!).ToList();
        Assert.Equal(["ReplicatorFunction=public.ecr.aws/sam/build-dotnet10:latest-x86_64"], images);

        var declared = StackTemplate.Raw["Parameters"]!.AsObject().Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        var overridden = System.Text.RegularExpressions.Regex.Matches((string)deploy["parameter_overrides"]!, "(\\w+)=").Select(m => m.Groups[1].Value).ToList();
        Assert.Contains("RepositoryFilter", overridden);
        Assert.Contains("DestinationRegions", overridden);
        Assert.All(overridden, name => Assert.Contains(name, declared));
    }

    [Theory]
    [InlineData("default", "x86_64")]
    [InlineData("arm64", "arm64")]
    public void Each_samconfig_environment_builds_and_deploys_one_architecture(string environment, string architecture)
    {
        var result = ProcessRunner.Run("python3", ["-c", "import json,sys,tomllib;print(json.dumps(tomllib.load(open(sys.argv[1],'rb'))))", RepositoryRoot.File("samconfig.toml")]);
        Assert.True(result.ExitCode == 0, "samconfig.toml is not valid TOML: " + result.Describe());
        var all = JsonNode.Parse(result.StandardOutput)!;
        var build = all[environment]!["build"]!["parameters"]!;
        var deploy = all[environment]!["deploy"]!["parameters"]!;

        // SAM passes a makefile build only ARTIFACTS_DIR, so the build image's tag, the ARCHITECTURE the Makefile is
        // given in that container, and the function's Architecture parameter must name the same architecture.
        Assert.Equal([$"ReplicatorFunction=public.ecr.aws/sam/build-dotnet10:latest-{architecture}"], build["build_image"]!.AsArray().Select(i => (string)i!));
        Assert.Equal([$"ReplicatorFunction.ARCHITECTURE={architecture}"], build["container_env_var"]!.AsArray().Select(i => (string)i!));
        var overrides = Overrides(deploy);
        Assert.Equal(architecture, overrides["Architecture"]);

        // SAM resolves the function's Architectures from the parameters while it builds and runs `sam local invoke`:
        // without the override it takes the template's default (x86_64) for an arm64 environment.
        if (architecture != "x86_64")
        {
            Assert.Equal(architecture, Overrides(build)["Architecture"]);
        }

        // `sam local invoke` without --parameter-overrides: every environment gives the function destinations (it
        // stops at init without DESTINATION_REGIONS) and a filter that selects the sample events' repositories, the
        // same apart from the architecture.
        var local = Overrides(all[environment]!["local_invoke"]!["parameters"]!);
        Assert.Equal(architecture, local["Architecture"]);
        Assert.False(string.IsNullOrEmpty(local.GetValueOrDefault("DestinationRegions")), $"{environment}.local_invoke sets no DestinationRegions");
        Assert.Equal("*", local.GetValueOrDefault("RepositoryFilter"));
        var localDefaults = Overrides(all["default"]!["local_invoke"]!["parameters"]!);
        Assert.Equal(localDefaults.Where(p => p.Key != "Architecture").OrderBy(p => p.Key, StringComparer.Ordinal), local.Where(p => p.Key != "Architecture").OrderBy(p => p.Key, StringComparer.Ordinal));

        foreach (var command in all[environment]!.AsObject().Where(c => c.Value!["parameters"]?["parameter_overrides"] is not null))
        {
            var values = Overrides(command.Value!["parameters"]!);
            Assert.Equal(architecture, values.GetValueOrDefault("Architecture", "x86_64"));
            Assert.NotEmpty(values);
            Assert.All(values.Keys, key => Assert.NotNull(StackTemplate.Raw["Parameters"]![key]));
        }
        Assert.Equal("ecr-replicator", (string)all[environment]!["global"]!["parameters"]!["stack_name"]!);

        // Apart from the architecture, an environment deploys what default deploys.
        var defaults = Overrides(all["default"]!["deploy"]!["parameters"]!);
        Assert.Equal(defaults.Where(p => p.Key != "Architecture").OrderBy(p => p.Key, StringComparer.Ordinal), overrides.Where(p => p.Key != "Architecture").OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(
            all["default"]!["deploy"]!["parameters"]!.AsObject().Where(p => p.Key != "parameter_overrides").Select(p => (p.Key, p.Value!.ToJsonString())),
            deploy.AsObject().Where(p => p.Key != "parameter_overrides").Select(p => (p.Key, p.Value!.ToJsonString())));
    }

    [Fact]
    public void The_makefile_reads_ARCHITECTURE_from_the_environment_and_refuses_one_the_build_host_is_not()
    {
        // samconfig's container_env_var reaches make as an environment variable, not a make argument (SAM runs
        // `make build-ReplicatorFunction` with its own environment plus ARTIFACTS_DIR). An arm64 ARCHITECTURE in an
        // x86_64 build image (or the reverse) is refused before anything is published.
        var host = ProcessRunner.Run("uname", ["-m"]).StandardOutput.Trim() is "aarch64" or "arm64" ? "arm64" : "x86_64";
        var other = host == "arm64" ? "x86_64" : "arm64";
        var result = ProcessRunner.Run("make", ["build-ReplicatorFunction", "ARTIFACTS_DIR=/nonexistent-artifacts"], environment: new Dictionary<string, string> { ["ARCHITECTURE"] = other });

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"target architecture {other} does not match this host ({host})", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_script_and_the_makefile_keep_lf_line_endings_on_any_checkout()
    {
        // Git for Windows checks text out with CRLF by default (core.autocrlf=true); a script run by /bin/sh in SAM's
        // build container, WSL or CI then fails on the CR. .gitattributes pins eol=lf for them.
        var files = ProcessRunner.Run("git", ["ls-files", "-z"]);
        Assert.True(files.ExitCode == 0, files.Describe());
        var scripts = files.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Where(f => Path.GetFileName(f) == "Makefile" || StartsWithShebang(RepositoryRoot.File(f)))
            .ToList();
        Assert.Contains("scripts/check-build-prerequisites.sh", scripts);
        Assert.Contains(".ci/run", scripts);

        var attributes = ProcessRunner.Run("git", ["check-attr", "eol", "--", .. scripts]);
        Assert.True(attributes.ExitCode == 0, attributes.Describe());
        var notLf = attributes.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.EndsWith(": eol: lf", StringComparison.Ordinal)).ToList();
        Assert.Empty(notLf);
        Assert.Equal(scripts.Count, attributes.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void Only_the_repositorys_src_projects_are_aot_checked_even_in_a_clone_under_a_src_folder()
    {
        // A clone at ~/src/ecr-replicator: every project's absolute path contains /src/, yet the tests' reflection-based
        // System.Text.Json must not meet the trimming and AOT analyzers (IL2026, IL3050 are errors here).
        var root = Path.Combine(Path.GetTempPath(), "aot-" + Guid.NewGuid().ToString("N"));
        var clone = Path.Combine(root, "src", "clone");
        try
        {
            Directory.CreateDirectory(clone);
            File.Copy(RepositoryRoot.File("Directory.Build.props"), Path.Combine(clone, "Directory.Build.props"));

            Assert.Equal("true", IsAotCompatible(clone, "src", "Probe"));
            Assert.Equal(string.Empty, IsAotCompatible(clone, "tests", "Probe.Tests"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>The property as MSBuild evaluates it (no restore, no build) for an empty SDK project at FOLDER/NAME.</summary>
    private static string IsAotCompatible(string clone, string folder, string name)
    {
        var directory = Directory.CreateDirectory(Path.Combine(clone, folder, name)).FullName;
        File.WriteAllText(Path.Combine(directory, name + ".csproj"), "<Project Sdk=\"Microsoft.NET.Sdk\" />");
        var result = ProcessRunner.Run("dotnet", ["msbuild", name + ".csproj", "-getProperty:IsAotCompatible", "-nodeReuse:false"], workingDirectory: directory);
        Assert.True(result.ExitCode == 0, "dotnet msbuild -getProperty failed: " + result.Describe());
        return result.StandardOutput.Trim();
    }

    private static bool StartsWithShebang(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        using var stream = File.OpenRead(path);
        Span<byte> head = stackalloc byte[2];
        return stream.Read(head) == 2 && head[0] == (byte)'#' && head[1] == (byte)'!';
    }

    private static Dictionary<string, string> Overrides(JsonNode deploy) =>
        System.Text.RegularExpressions.Regex.Matches((string)deploy["parameter_overrides"]!, "(\\w+)=\"([^\"]*)\"")
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);
}
