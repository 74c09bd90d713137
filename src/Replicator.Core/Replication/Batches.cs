using Replicator.Core.Ecr;

namespace Replicator.Core.Replication;

/// <summary>Splits lookups into the batch sizes ECR accepts (<see cref="EcrLimits"/>) or the engine chooses.</summary>
public static class Batches
{
    /// <summary>
    /// Manifests fetched per BatchGetImage by the engine: 10 of at most 4 MiB keep every answer under the
    /// client's 64 MiB response cap (EcrResponseReader.MaxResponseBytes), well below the 100 ECR allows.
    /// </summary>
    public const int ManifestFetchBatchSize = 10;

    public static IReadOnlyList<IReadOnlyList<T>> Chunk<T>(IReadOnlyList<T> items, int size = EcrLimits.LayerAvailabilityBatchSize)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var chunks = new List<IReadOnlyList<T>>((items.Count + size - 1) / size);
        for (var start = 0; start < items.Count; start += size)
        {
            var count = Math.Min(size, items.Count - start);
            var chunk = new T[count];
            for (var i = 0; i < count; i++)
            {
                chunk[i] = items[start + i];
            }

            chunks.Add(chunk);
        }

        return chunks;
    }
}
