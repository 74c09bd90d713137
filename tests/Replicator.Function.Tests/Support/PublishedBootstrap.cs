using System.Diagnostics;
using Replicator.Testing;

namespace Replicator.Function.Tests.Support;

/// <summary>
/// Publishes src/Replicator.Function (Native AOT, linux-x64) once per test run, for tests that need the real
/// bootstrap binary (symbol versions, and later the end-to-end run against LocalEcr).
/// </summary>
public sealed class PublishedBootstrap : IAsyncLifetime
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "replicator-fn-" + Guid.NewGuid().ToString("N"));

    public string BootstrapPath => Path.Combine(Directory, "bootstrap");

    // The publish restores and builds for linux-x64 with its own obj and bin (dotnet publish --artifacts-path), so it
    // never rewrites the project.assets.json or outputs under src/ that the test run's own build uses meanwhile.
    private string BuildDirectory => Directory + "-build";

    public string PublishOutput { get; private set; } = string.Empty;

    public int ExitCode { get; private set; } = -1;

    private static readonly TimeSpan PublishTimeLimit = TimeSpan.FromMinutes(40);

    public async Task InitializeAsync()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot.Path,
        };
        foreach (var argument in new[] { "publish", "src/Replicator.Function", "-c", "Release", "-r", "linux-x64", "-o", Directory, "--artifacts-path", BuildDirectory, "-nologo" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        // Only a guard against a hung publish: the Native AOT compile takes 2-3 minutes alone on two cores, but many
        // times that when the machine is shared, and a tighter limit turned a slow machine into five failed tests.
        using var timeout = new CancellationTokenSource(PublishTimeLimit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            PublishOutput = $"dotnet publish did not finish within {PublishTimeLimit.TotalMinutes} minutes and was stopped\n" + await output + await error;
            return;
        }

        PublishOutput = await output + await error;
        ExitCode = process.ExitCode;
    }

    public Task DisposeAsync()
    {
        foreach (var directory in new[] { Directory, BuildDirectory })
        {
            try
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        return Task.CompletedTask;
    }
}
