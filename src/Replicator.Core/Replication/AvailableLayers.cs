using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Manifests;
using Replicator.Core.Planning;

namespace Replicator.Core.Replication;

/// <summary>
/// BatchCheckLayerAvailability over any number of digests: which layers a repository holds, with their sizes. Asked of
/// a destination (what need not be copied) and of the source (the sizes Docker schema 1 manifests do not declare).
/// </summary>
internal static class AvailableLayers
{
    /// <summary>The AVAILABLE layers among <paramref name="digests"/>, with the size ECR reports (<see cref="Descriptor.UnknownSize"/> when it reports none).</summary>
    public static async Task<Dictionary<string, long>> SizesAsync(IEcrClient client, string? registryId, string repository, IReadOnlyList<string> digests, CancellationToken cancellationToken)
    {
        var available = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var chunk in digests.Chunk(EcrLimits.LayerAvailabilityBatchSize))
        {
            var response = await client.BatchCheckLayerAvailabilityAsync(
                    new BatchCheckLayerAvailabilityRequest { RegistryId = registryId, RepositoryName = repository, LayerDigests = [.. chunk] }, cancellationToken);
            foreach (var layer in response.Layers ?? [])
            {
                if (layer.LayerDigest is { } digest && layer.LayerAvailability == LayerAvailability.Available)
                {
                    available[digest] = layer.LayerSize ?? Descriptor.UnknownSize;
                }
            }
        }

        return available;
    }
}
