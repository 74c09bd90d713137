using System.Text.RegularExpressions;
using Stack.Tests.Support;

namespace Stack.Tests;

/// <summary>The commands the README and the docs give a reader work as given: what they need is named, and nothing
/// is taken from the reader's shell that changes what they do.</summary>
public sealed partial class RunInstructionTests
{
    [Fact]
    public void Every_program_the_tests_start_is_named_next_to_the_test_command()
    {
        var started = ProgramsTheTestsStart();
        // The scan still sees how the tests start programs: these are started in several ways each.
        Assert.Superset(new HashSet<string>(StringComparer.Ordinal) { "dotnet", "python3", "aws", "cfn-lint", "make", "bash", "moto" }, started);

        var prerequisites = ReadmeSection("Two commands on a fresh machine");
        Assert.Contains("dotnet test Replicator.sln -c Release", prerequisites, StringComparison.Ordinal);
        Assert.All(started.Order(StringComparer.Ordinal), program =>
            Assert.True(prerequisites.Contains($"`{program}`", StringComparison.Ordinal), $"the tests start {program}, which README.md's \"Two commands on a fresh machine\" does not name"));
    }

    [Fact]
    public void Ci_runs_the_readmes_test_command_with_a_hang_timeout()
    {
        // A hung test (a child process that never answers) must end the run with its name, not hold CI indefinitely;
        // and CI runs what the README tells a reader to run, word for word.
        var command = ReadmeSection("Two commands on a fresh machine").Split('\n').Select(l => l.Split('#')[0].Trim()).Single(l => l.StartsWith("dotnet test ", StringComparison.Ordinal));
        Assert.Contains("--blame-hang-timeout ", command, StringComparison.Ordinal);
        Assert.Contains(command, File.ReadAllLines(RepositoryRoot.File(".ci", "run")));
    }

    [Fact]
    public void Every_script_is_named_in_the_readmes_layout_table()
    {
        // The table under "Architecture" is where a reader finds what each piece is; a script missing there is found
        // only by reading the CI entry point or the Makefile.
        var files = ProcessRunner.Run("git", ["ls-files", "-z", "--", "scripts/*", ".ci/*"]);
        Assert.True(files.ExitCode == 0, files.Describe());
        var scripts = files.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("scripts/apt-get-retry.sh", scripts);
        Assert.Contains(".ci/run", scripts);

        var layout = ReadmeSection("Architecture");
        Assert.All(scripts, script => Assert.True(layout.Contains($"`{script}`", StringComparison.Ordinal), $"README.md's layout table (\"Architecture\") does not name {script}"));
    }

    [Fact]
    public void Every_sam_local_invoke_of_an_event_names_the_samples_region()
    {
        // Without --region, sam local takes the shell's profile region as the function's AWS_REGION; with us-west-2
        // there the function refuses DestinationRegions=us-west-2 at init (its own region).
        var invocations = SamLocalInvokesOfAnEvent("*.md", "scripts/*", "samconfig.toml");

        Assert.True(invocations.Count >= 3, $"found only {invocations.Count} sam local invoke commands");
        Assert.All(invocations, i => Assert.True(i.Command.Contains("--region us-east-1", StringComparison.Ordinal), $"{i.Path}: {i.Command}"));
    }

    [Fact]
    public void Every_sam_local_invoke_of_an_event_in_the_documents_passes_env_vars()
    {
        // sam local resolves a Ref to a stack resource to its logical id (aws/aws-sam-cli#1604): without --env-vars
        // DEAD_LETTER_QUEUE_URL is "DeadLetterQueue", and the function refuses it at init (not an absolute queue URL).
        var invocations = SamLocalInvokesOfAnEvent("*.md");

        Assert.Contains(invocations, i => i.Path == "events/README.md");
        Assert.Contains(invocations, i => i.Path == "docs/deploy.md");
        Assert.All(invocations, i => Assert.True(EnvVarsArgument().IsMatch(i.Command), $"{i.Path}: {i.Command}"));
    }

    [Fact]
    public void Every_variable_the_documents_set_through_env_vars_is_one_the_template_declares()
    {
        // sam local invoke --env-vars overrides only the variables the function's Environment.Variables declares and
        // drops any other name without a word (aws/aws-sam-cli#6145, #139): an endpoint override such as
        // AWS_ENDPOINT_URL_ECR offered "in env.json" never reached the function, which then called the real ECR
        // with the reader's own credentials instead of the LocalEcr they meant.
        var declared = StackTemplate.Raw["Resources"]!["ReplicatorFunction"]!["Properties"]!["Environment"]!["Variables"]!.AsObject()
            .Select(v => v.Key).ToHashSet(StringComparer.Ordinal);
        var files = ProcessRunner.Run("git", ["ls-files", "-z", "--", "*.md", "samconfig.toml", "scripts/*"]);
        Assert.True(files.ExitCode == 0, files.Describe());

        var named = files.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(path =>
            {
                var text = File.ReadAllText(RepositoryRoot.File(path));
                var inProse = VariableNextToEnvJson().Matches(text).Select(m => m.Groups["name"].Value);
                var inExamples = EnvVarsExample().Matches(text).SelectMany(m => JsonKey().Matches(m.Groups["variables"].Value).Select(k => k.Groups["name"].Value));
                return inProse.Concat(inExamples).Select(name => (Path: path, Name: name));
            })
            .ToList();

        Assert.Contains(named, n => n is { Path: "docs/deploy.md", Name: "DEAD_LETTER_QUEUE_URL" });
        Assert.All(named, n => Assert.True(declared.Contains(n.Name), $"{n.Path} sets {n.Name} through --env-vars, which sam local drops: template.yaml's ReplicatorFunction does not declare it"));
    }

    /// <summary>Each sam local invoke command given an event (-e FILE) in the tracked files of <paramref name="pathspecs"/>.</summary>
    private static List<(string Path, string Command)> SamLocalInvokesOfAnEvent(params string[] pathspecs)
    {
        var files = ProcessRunner.Run("git", ["ls-files", "-z", "--", .. pathspecs]);
        Assert.True(files.ExitCode == 0, files.Describe());
        return files.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(path => SamLocalInvoke().Matches(File.ReadAllText(RepositoryRoot.File(path))).Select(m => (Path: path, Command: m.Value)))
            .Where(i => EventArgument().IsMatch(i.Command))
            .ToList();
    }

    /// <summary>
    /// The literal program names in tests/ (tests/Replicator.Testing included) that a test starts: the FileName of a
    /// ProcessStartInfo or of the test projects' process helpers, a program looked up on PATH, and a python3 -m module.
    /// </summary>
    private static HashSet<string> ProgramsTheTestsStart()
    {
        var separator = Path.DirectorySeparatorChar;
        var sources = Directory.EnumerateFiles(RepositoryRoot.File("tests"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{separator}obj{separator}", StringComparison.Ordinal) && !f.Contains($"{separator}bin{separator}", StringComparison.Ordinal)
                && !f.EndsWith(nameof(RunInstructionTests) + ".cs", StringComparison.Ordinal))
            .Select(File.ReadAllText)
            .ToList();
        return sources
            .SelectMany(text => Started().Matches(text).Concat(LookedUpOnPath().Matches(text)).Concat(WrappedByAStandIn().Matches(text)).Concat(PythonModule().Matches(text)))
            .Select(m => m.Groups["name"].Value.Split('.')[0])
            .ToHashSet(StringComparer.Ordinal);
    }

    private static string ReadmeSection(string heading)
    {
        var readme = File.ReadAllText(RepositoryRoot.File("README.md"));
        var start = readme.IndexOf("## " + heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"README.md has no section \"{heading}\"");
        var end = readme.IndexOf("\n## ", start + 3, StringComparison.Ordinal);
        return end < 0 ? readme[start..] : readme[start..end];
    }

    [GeneratedRegex(@"(?:new ProcessStartInfo|ProcessRunner\.Run|ProcessRun\.RunAsync)\(\s*""(?<name>[\w.-]+)""")]
    private static partial Regex Started();

    // A lookup whose Path.Combine takes the name from a variable is a helper's (below), not a program: the match stops there.
    [GeneratedRegex(@"Split\(Path\.PathSeparator(?:(?!Path\.Combine\(\w+,\s*\w+\)).){0,200}?Path\.Combine\(\w+,\s*""(?<name>[\w.-]+)""\)", RegexOptions.Singleline)]
    private static partial Regex LookedUpOnPath();

    // A stand-in written first on PATH that runs the real program of that name (the smoke test's date and aws).
    [GeneratedRegex(@"WriteStandInAsync\(\s*""(?<name>[\w.-]+)""")]
    private static partial Regex WrappedByAStandIn();

    [GeneratedRegex(@"""-m"",\s*""(?<name>[\w.]+)""")]
    private static partial Regex PythonModule();

    /// <summary>One sam local invoke command, with its backslash-continued lines, up to a closing backtick or the line's end.</summary>
    [GeneratedRegex(@"sam local invoke(?:[^`\n\\]|\\\n)*")]
    private static partial Regex SamLocalInvoke();

    [GeneratedRegex(@"\s-e\s+[^\s`]")]
    private static partial Regex EventArgument();

    [GeneratedRegex(@"\s--env-vars\s+[^\s`-]")]
    private static partial Regex EnvVarsArgument();

    /// <summary>A variable named right before or right after "in `env.json`" (", e.g. " between them at most).</summary>
    [GeneratedRegex(@"`(?<name>[A-Z][A-Z0-9_]+)`[^`]{0,6}in `env\.json`|in `env\.json`[^`]{0,20}`(?<name>[A-Z][A-Z0-9_]+)`")]
    private static partial Regex VariableNextToEnvJson();

    /// <summary>An env.json example: the function's logical id, or Parameters, over an object of variables.</summary>
    [GeneratedRegex(@"\{\s*""(?:ReplicatorFunction|Parameters)""\s*:\s*\{(?<variables>[^{}]*)\}")]
    private static partial Regex EnvVarsExample();

    [GeneratedRegex(@"""(?<name>[A-Z][A-Z0-9_]+)""\s*:")]
    private static partial Regex JsonKey();
}
