namespace Replicator.Testing;

/// <summary>The checkout the tests run in, found once by walking up from the test binaries to Replicator.sln.</summary>
public static class RepositoryRoot
{
    private static readonly Lazy<string> Root = new(Find);

    public static string Path => Root.Value;

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Replicator.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Replicator.sln not found above {AppContext.BaseDirectory}");
    }
}
