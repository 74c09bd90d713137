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
    public void AssertOneLineError(string expected) => AssertOneLineError(expected, progressPrefix: null);

    /// <summary>
    /// One error line, after any progress lines starting with <paramref name="progressPrefix"/> (which go to stderr
    /// too, ahead of the error that ends the command).
    /// </summary>
    public void AssertOneLineError(string expected, string? progressPrefix)
    {
        var lines = Error.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => progressPrefix is null || !l.StartsWith(progressPrefix, StringComparison.Ordinal))
            .ToArray();
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", Error, StringComparison.Ordinal);
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}
