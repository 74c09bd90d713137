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
