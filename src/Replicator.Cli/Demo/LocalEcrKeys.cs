using LocalEcr;

namespace Replicator.Cli.Demo;

/// <summary>The keys the demo's LocalEcr accepts (its defaults), in one place.</summary>
public static class LocalEcrKeys
{
    private static readonly LocalEcrOptions Defaults = new();

    public static string AccessKey => Defaults.AccessKey;

    public static string SecretKey => Defaults.SecretKey;
}
