using System.ComponentModel;
using System.Diagnostics;

namespace Stack.Tests.Support;

/// <summary>Runs a tool the stack checks depend on (cfn-lint, python3, make) and captures its output.</summary>
internal static class ProcessRunner
{
    // A hang guard, never a timing: a tool that has not ended by then is stuck. Once 3 minutes, which cfn-lint passed on
    // a machine at load 52 (docs/reliability.md, round 4); now the order of the suite's other guards on slow steps.
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(20);

    /// <param name="environment">Variables set for the tool, over those it inherits.</param>
    /// <param name="unset">Inherited variables the tool must not see.</param>
    public static ProcessResult Run(string fileName, IEnumerable<string> arguments, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null, IEnumerable<string>? unset = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepositoryRoot.Path,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in unset ?? [])
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException(
                $"'{fileName}' is not installed or not on PATH ({e.Message}); the stack checks need it " +
                "(.ci/run installs cfn-lint).", e);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{fileName} did not finish within {Timeout}");
            }

            return new ProcessResult(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
        }
    }
}
