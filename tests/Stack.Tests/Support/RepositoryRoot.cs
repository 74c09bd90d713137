namespace Stack.Tests.Support;

/// <summary>The checkout the tests run in, found by walking up from the test binaries to Replicator.sln.</summary>
internal static class RepositoryRoot
{
    private static readonly Lazy<string> Root = new(Find);

    public static string Path => Root.Value;

    public static string File(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(System.IO.Path.Combine(dir.FullName, "Replicator.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Replicator.sln not found above {AppContext.BaseDirectory}");
    }
}
