using Replicator.Core.Ecr;
using Replicator.Core.Errors;

namespace Replicator.Core.Copy;

/// <summary>
/// The part size for one layer upload: the destination's advertised size, or bigger when the layer would
/// not fit into ECR's 4,200 parts with it.
/// </summary>
/// <remarks>
/// ECR's quotas (<see cref="EcrLimits"/>): parts of at least 5 MiB except the last, at most 4,200 parts, layers of
/// at most 52,000 MiB. The quotas page says a part is at most 10 MiB, which stops a layer at 41 GiB; the service
/// model's LayerPartBlob allows 20 MiB. Layers above 41 GiB therefore use larger parts, up to the model's 20 MiB,
/// and only they: everything else keeps the size ECR advertises.
/// </remarks>
internal static class UploadPartSize
{
    /// <summary>The part size when ECR advertises none: the documented maximum.</summary>
    public const long DefaultPartSize = EcrLimits.DocumentedMaxPartSize;

    /// <summary>The part size for a layer of <paramref name="layerSize"/> bytes, given InitiateLayerUpload's <c>partSize</c>.</summary>
    public static int Choose(long layerSize, long? advertised)
    {
        if (layerSize > EcrLimits.MaxLayerSize)
        {
            throw new ReplicationException(
                ReplicationErrorCodes.LayerTooLarge,
                $"the layer is {layerSize} bytes; ECR accepts layers of at most {EcrLimits.MaxLayerSize} bytes (52,000 MiB)",
                isTransient: false);
        }

        var size = Math.Clamp(advertised ?? DefaultPartSize, EcrLimits.MinPartSize, DefaultPartSize);
        var needed = (layerSize + EcrLimits.MaxParts - 1) / EcrLimits.MaxParts;
        if (needed > size)
        {
            // Whole MiB, so every part but the last has the same round size.
            size = Math.Min(EcrLimits.MaxPartSize, (needed + (1 << 20) - 1) >> 20 << 20);
        }

        return (int)size;
    }
}
