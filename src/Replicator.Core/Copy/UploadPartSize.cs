using Replicator.Core.Replication;

namespace Replicator.Core.Copy;

/// <summary>
/// The part size for one layer upload: the destination's advertised size, or bigger when the layer would
/// not fit into ECR's 4,200 parts with it.
/// </summary>
/// <remarks>
/// ECR's quotas (https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html): parts of at
/// least 5 MiB except the last, at most 4,200 parts, layers of at most 52,000 MiB. The same page says a part
/// is at most 10 MiB, which stops a layer at 41 GiB; the service model's LayerPartBlob allows 20,971,520
/// bytes (botocore data/ecr/2015-09-21/service-2.json). Layers above 41 GiB therefore use larger parts, up to
/// the model's 20 MiB, and only they: everything else keeps the size ECR advertises.
/// </remarks>
internal static class UploadPartSize
{
    public const long MinPartSize = 5L * 1024 * 1024;
    public const long DefaultPartSize = 10L * 1024 * 1024;
    public const long MaxPartSize = 20L * 1024 * 1024;
    public const int MaxParts = 4200;
    public const long MaxLayerSize = 52_000L * 1024 * 1024;

    /// <summary>The part size for a layer of <paramref name="layerSize"/> bytes, given InitiateLayerUpload's <c>partSize</c>.</summary>
    public static int Choose(long layerSize, long? advertised)
    {
        if (layerSize > MaxLayerSize)
        {
            throw new ReplicationException(
                ReplicationErrorCodes.LayerTooLarge,
                $"the layer is {layerSize} bytes; ECR accepts layers of at most {MaxLayerSize} bytes (52,000 MiB)",
                isTransient: false);
        }

        var size = Math.Clamp(advertised ?? DefaultPartSize, MinPartSize, DefaultPartSize);
        var needed = (layerSize + MaxParts - 1) / MaxParts;
        if (needed > size)
        {
            // Whole MiB, so every part but the last has the same round size.
            size = Math.Min(MaxPartSize, (needed + (1 << 20) - 1) >> 20 << 20);
        }

        return (int)size;
    }
}
