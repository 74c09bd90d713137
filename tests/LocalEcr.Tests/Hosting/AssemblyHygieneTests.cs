using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace LocalEcr.Tests.Hosting;

public sealed class AssemblyHygieneTests
{
    private static readonly string AssemblyPath = typeof(LocalEcrServer).Assembly.Location;

    [Fact]
    public void LocalEcr_does_not_reference_Replicator_Core()
    {
        var references = typeof(LocalEcrServer).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.NotEmpty(references);
        Assert.DoesNotContain(references, name => name!.StartsWith("Replicator", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void LocalEcr_never_touches_reflection_based_JsonSerializer()
    {
        using var stream = File.OpenRead(AssemblyPath);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var typeNames = metadata.TypeReferences
            .Select(handle => metadata.GetTypeReference(handle))
            .Select(t => metadata.GetString(t.Namespace) + "." + metadata.GetString(t.Name))
            .ToList();
        Assert.Contains("System.Text.Json.Utf8JsonWriter", typeNames);
        Assert.DoesNotContain("System.Text.Json.JsonSerializer", typeNames);
    }
}
