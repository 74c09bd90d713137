using Replicator.Core.Ecr;

namespace Replicator.Core.Replication;

/// <summary>The batch sizes the engine chooses where ECR would accept more (ECR's own: <see cref="EcrLimits"/>); split with <see cref="Enumerable.Chunk{TSource}(IEnumerable{TSource}, int)"/>.</summary>
public static class Batches
{
    /// <summary>
    /// Manifests fetched per BatchGetImage by the engine: 10 of at most 4 MiB keep every answer under the
    /// client's 64 MiB response cap (EcrResponseReader.MaxResponseBytes), well below the 100 ECR allows.
    /// </summary>
    public const int ManifestFetchBatchSize = 10;
}
