using System.Text.Json.Nodes;
using Replicator.Samples;

namespace BenchDriver;

/// <summary>Writes a sample image as an OCI image layout (image-spec image-layout.md), the source skopeo pushes from.</summary>
internal static class OciLayoutWriter
{
    public static async Task WriteAsync(string directory, SampleImage image, string tag)
    {
        var blobs = Path.Combine(directory, "blobs", "sha256");
        Directory.CreateDirectory(blobs);
        foreach (var blob in image.Blobs)
        {
            await using var source = blob.Content.OpenRead();
            await using var target = File.Create(Path.Combine(blobs, Hex(blob.Digest)));
            await source.CopyToAsync(target, 1 << 20);
        }

        foreach (var manifest in image.Manifests)
        {
            await File.WriteAllTextAsync(Path.Combine(blobs, Hex(manifest.Digest)), manifest.Manifest);
        }

        await File.WriteAllTextAsync(Path.Combine(directory, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        var index = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["manifests"] = new JsonArray(new JsonObject
            {
                ["mediaType"] = image.Root.MediaType,
                ["digest"] = image.Root.Digest,
                ["size"] = image.Root.Size,
                ["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = tag },
            }),
        };
        await File.WriteAllTextAsync(Path.Combine(directory, "index.json"), index.ToJsonString());
    }

    private static string Hex(string digest) => digest["sha256:".Length..];
}
