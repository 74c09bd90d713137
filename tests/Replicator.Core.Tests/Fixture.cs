using Replicator.Core.Manifests;

namespace Replicator.Core.Tests;

/// <summary>Manifest fixtures from Fixtures/ (written by Fixtures/generate.py), read byte for byte.</summary>
internal static class Fixture
{
    public static string Read(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    public static Manifest Parse(string name, string? declaredMediaType = null) => ManifestParser.Parse(Read(name), declaredMediaType);

    public static string DigestOf(string name) => Digest.Compute(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", name)));
}
