using System.Reflection;

namespace Replicator.Cli.Tests.Support;

/// <summary>The checkout and the build `dotnet test` made of it, for tests that run the CLI and scripts as users do.</summary>
internal static class BuildOutput
{
    /// <summary>The configuration this test assembly was built in, which `dotnet test` also built its references in.</summary>
    public static string Configuration =>
        typeof(BuildOutput).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Replicator.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException($"Replicator.sln not found above {AppContext.BaseDirectory}");
        }
    }

    /// <summary>A file of a project's build output, e.g. Project("Replicator.Cli", "replicator.dll").</summary>
    public static string ProjectFile(string directory, string project, string file) =>
        Path.Combine(RepositoryRoot, directory, project, "bin", Configuration, "net10.0", file);
}
