using Replicator.Samples;

namespace BenchDriver;

/// <summary>
/// seed: builds the synthetic image (seeded random layers, so every side gets identical bytes), pushes it to a
/// LocalEcr repository and/or writes it as an OCI layout for skopeo; prints the image digest.
/// </summary>
internal static class SeedCommand
{
    public static async Task<int> RunAsync(Options options)
    {
        var layers = (int)options.GetLong("layers", 4);
        var layerSize = options.GetLong("layer-size", 64L << 20);
        var image = new SampleImageBuilder((ulong)options.GetLong("seed", 7)).Image(SampleFormat.Oci, Enumerable.Repeat(layerSize, layers).ToArray());
        var tag = options.Get("tag", "v1");
        if (options.Get("endpoint", "") is { Length: > 0 } endpoint)
        {
            using var clients = new LocalEcrClients(endpoint);
            await SampleImagePusher.PushAsync(clients.Region(options.Get("region", "us-east-1")), options.Get("repo"), image, tag);
        }

        if (options.Get("oci", "") is { Length: > 0 } directory)
        {
            await OciLayoutWriter.WriteAsync(directory, image, tag);
        }

        Console.WriteLine(image.Digest);
        return 0;
    }
}
