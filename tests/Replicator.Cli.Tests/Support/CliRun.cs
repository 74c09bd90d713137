namespace Replicator.Cli.Tests.Support;

/// <summary>The exit code and captured output of one in-process run.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public void AssertNoAnsi()
    {
        Assert.DoesNotContain("\u001b[", Output, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", Error, StringComparison.Ordinal);
    }

    /// <summary>One line on stderr, no stack trace.</summary>
    public void AssertOneLineError(string expected)
    {
        var lines = Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", Error, StringComparison.Ordinal);
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}
