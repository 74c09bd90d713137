using System.Text.Json.Nodes;
using Stack.Tests.Support;

namespace Stack.Tests;

public sealed class CfnLintTests
{
    [Fact]
    public void Template_passes_cfn_lint()
    {
        var result = ProcessRunner.Run("cfn-lint", ["template.yaml"]);

        Assert.True(result.ExitCode == 0, "cfn-lint template.yaml reported problems: " + result.Describe());
    }

    /// <summary>
    /// cfn-lint's IAM action list (W3037) lacks ecr:ListImageReferrers, an ECR API action the function calls (the ECR
    /// API reference and botocore's ecr model, operation ListImageReferrers). cfn-lint cannot ignore one action, only
    /// the whole rule, so the test drops exactly the match naming that action and keeps every other W3037.
    /// </summary>
    private const string UnknownToCfnLint = "'listimagereferrers' is not one of ";

    [Fact]
    public void The_expanded_template_of_every_sample_passes_cfn_lint()
    {
        // The raw template's Fn::ForEach collections have no defaults, so cfn-lint cannot unroll them there: the
        // unrolled policies and alarms are checked here, on the template each sample deploys. One cfn-lint process
        // for all of them (it takes several files).
        var directory = Directory.CreateTempSubdirectory("stack-tests-lint-");
        try
        {
            var files = Samples.EveryBranch().Select(sample =>
            {
                var file = Path.Combine(directory.FullName, sample.Name + ".json");
                File.WriteAllText(file, sample.Stack.Transformed.ToJsonString());
                return file;
            }).ToList();

            var matches = Lint(files);

            Assert.True(matches.Count == 0, "cfn-lint reported problems in the expanded templates:\n" + string.Join('\n', matches));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Only_the_one_action_cfn_lint_does_not_know_is_ignored()
    {
        // Proves the filter above can fail: an unknown action next to ecr:ListImageReferrers is still reported.
        var template = Samples.PushOnly.Transformed.DeepClone().AsObject();
        // The transformed template keeps its intrinsics: the vpc policy is an Fn::If, not a policy, and is skipped.
        var statement = template["Resources"]!["ReplicatorFunctionRole"]!["Properties"]!["Policies"]!.AsArray()
            .Where(p => p!["PolicyDocument"] is not null)
            .Select(p => p!["PolicyDocument"]!["Statement"]!.AsArray()[0]!)
            .Single(s => s["Action"]!.AsArray().Any(a => (string?)a == "ecr:ListImageReferrers"));
        statement["Action"]!.AsArray().Add("ecr:ListImageReferrer");
        var file = Path.Combine(Path.GetTempPath(), $"stack-tests-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, template.ToJsonString());
        try
        {
            var match = Assert.Single(Lint([file]));

            Assert.Contains("W3037", match, StringComparison.Ordinal);
            Assert.Contains("'listimagereferrer' is not one of", match, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// AWS::LanguageExtensions resolves Fn::FindInMap (cfn-lint's expansion does the same), so in an expanded template
    /// every mapping reads as unused (W7001). The template as written, where they are used, is linted whole by
    /// <see cref="Template_passes_cfn_lint"/>.
    /// </summary>
    private const string UnusedMapping = "W7001";

    /// <summary>cfn-lint's matches over the files, but for the one known gap in its action list and mappings the expansion resolved.</summary>
    private static List<string> Lint(IReadOnlyList<string> files)
    {
        var result = ProcessRunner.Run("cfn-lint", ["--format", "json", .. files]);
        // cfn-lint's exit code is a bit mask of what it found: 2 errors, 4 warnings, 8 informational; anything else
        // (1: it failed) means it did not lint.
        Assert.True((result.ExitCode & ~14) == 0, "cfn-lint failed to run: " + result.Describe());
        return [.. JsonNode.Parse(result.StandardOutput)!.AsArray()
            .Where(m => !((string)m!["Rule"]!["Id"]! == "W3037" && ((string)m["Message"]!).StartsWith(UnknownToCfnLint, StringComparison.Ordinal)))
            .Where(m => (string)m!["Rule"]!["Id"]! != UnusedMapping)
            .Select(m => $"{Path.GetFileName((string)m!["Filename"]!)}: {m["Rule"]!["Id"]} {string.Join('/', m["Location"]!["Path"]!.AsArray())}: {m["Message"]}")];
    }

    [Fact]
    public void Cfn_lint_rejects_a_broken_copy_of_the_template()
    {
        // Proves the check above can fail: the same template with an unknown runtime must not pass.
        var template = File.ReadAllText(RepositoryRoot.File("template.yaml"));
        Assert.Contains("Runtime: provided.al2023", template, StringComparison.Ordinal);
        var broken = Path.Combine(Path.GetTempPath(), $"stack-tests-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(broken, template.Replace("Runtime: provided.al2023", "Runtime: provided.al1999", StringComparison.Ordinal));
        try
        {
            var result = ProcessRunner.Run("cfn-lint", [broken]);

            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("provided.al1999", result.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(broken);
        }
    }
}
