using System.Reflection;
using Replicator.Testing;

namespace Replicator.Cli.Tests.Support;

/// <summary>The checkout and the build `dotnet test` made of it, for tests that run the CLI and scripts as users do.</summary>
internal static class BuildOutput
{
    /// <summary>The configuration this test assembly was built in, which `dotnet test` also built its references in.</summary>
    public static string Configuration =>
        typeof(BuildOutput).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    /// <summary>A file of a project's build output, e.g. Project("Replicator.Cli", "replicator.dll").</summary>
    public static string ProjectFile(string directory, string project, string file) =>
        Path.Combine(RepositoryRoot.Path, directory, project, "bin", Configuration, "net10.0", file);
}
