using Replicator.Core.Ecr;
using Replicator.Core.Manifests;

namespace Replicator.Core.Replication;

/// <summary>The batch sizes the engine chooses where ECR would accept more (ECR's own: <see cref="EcrLimits"/>).</summary>
public static class Batches
{
    /// <summary>Manifests fetched per BatchGetImage by the engine at most, well below the <see cref="EcrLimits.GetImageBatchSize"/> ECR allows.</summary>
    public const int ManifestFetchBatchSize = 10;

    /// <summary>
    /// The manifest bytes one BatchGetImage asks for at most, counted from the sizes the descriptors and listings
    /// declare. A manifest travels as a JSON string, where one character can take six bytes (<c>\u0022</c>: RFC 8259,
    /// section 7), so an answer may hold six times what was asked for, plus its envelope: ten MiB keeps the worst
    /// answer under the client's 64 MiB cap (EcrResponseReader.MaxResponseBytes), which ten manifests of ECR's
    /// largest (4,194,304 characters, botocore ECR model ImageManifest) could exceed. Ordinary manifests are a few KiB:
    /// they still go ten to a call.
    /// </summary>
    public const long ManifestFetchBytes = 10L * 1024 * 1024;

    /// <summary>
    /// The digests in calls of at most <see cref="ManifestFetchBatchSize"/> manifests and <see cref="ManifestFetchBytes"/>
    /// declared bytes. A size unknown (negative) or beyond the largest manifest the engine reads
    /// (<see cref="ManifestParser.MaxManifestBytes"/>) counts as that largest one; a manifest larger than the budget
    /// goes alone.
    /// </summary>
    public static IEnumerable<IReadOnlyList<string>> ManifestFetches(IEnumerable<(string Digest, long Size)> manifests)
    {
        ArgumentNullException.ThrowIfNull(manifests);
        var batch = new List<string>(ManifestFetchBatchSize);
        long bytes = 0;
        foreach (var (digest, size) in manifests)
        {
            var counted = size is >= 0 and <= ManifestParser.MaxManifestBytes ? size : ManifestParser.MaxManifestBytes;
            if (batch.Count == ManifestFetchBatchSize || (batch.Count > 0 && bytes + counted > ManifestFetchBytes))
            {
                yield return batch;
                batch = new List<string>(ManifestFetchBatchSize);
                bytes = 0;
            }

            batch.Add(digest);
            bytes += counted;
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }
}
