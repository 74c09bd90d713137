using Replicator.Core.Copy;
using Replicator.Core.Errors;
using Replicator.Core.Replication;

namespace Replicator.Core.Tests.Copy;

/// <summary>
/// ECR takes layers of up to 52,000 MiB in at most 4,200 parts; 10 MiB parts stop at 41 GiB, the model's
/// LayerPartBlob allows 20 MiB (see UploadPartSize).
/// </summary>
public sealed class UploadPartSizeTests
{
    private const long MiB = 1024 * 1024;

    [Theory]
    [InlineData(1L, null, 10 * MiB)]
    [InlineData(1L, 10 * MiB, 10 * MiB)]
    [InlineData(1L, 5 * MiB, 5 * MiB)]
    [InlineData(1L, 1024L, 5 * MiB)]
    [InlineData(1L, 0L, 5 * MiB)]
    [InlineData(1L, 64 * MiB, 10 * MiB)]
    [InlineData(4200 * 10 * MiB, 10 * MiB, 10 * MiB)]
    [InlineData((4200 * 10 * MiB) + 1, 10 * MiB, 11 * MiB)]
    [InlineData(52_000 * MiB, 10 * MiB, 13 * MiB)]
    [InlineData(52_000 * MiB, 5 * MiB, 13 * MiB)]
    public void The_part_size_is_the_advertised_one_unless_the_layer_needs_more_than_4200_parts(long layerSize, long? advertised, long expected)
    {
        Assert.Equal(expected, UploadPartSize.Choose(layerSize, advertised));
    }

    [Fact]
    public void Every_layer_ECR_accepts_fits_in_4200_parts_of_at_most_20_MiB()
    {
        for (var size = 40L * 1024 * MiB; size <= 52_000 * MiB; size += 97 * MiB + 12_345)
        {
            var part = UploadPartSize.Choose(size, 10 * MiB);
            Assert.InRange(part, 5 * MiB, 20 * MiB);
            Assert.True((size + part - 1) / part <= 4200, $"{size} bytes in parts of {part} needs more than 4,200 parts");
        }

        var largest = UploadPartSize.Choose(52_000 * MiB, null);
        Assert.True(((52_000 * MiB) + largest - 1) / largest <= 4200);
    }

    [Fact]
    public void A_layer_over_52000_MiB_is_refused_for_good()
    {
        var error = Assert.Throws<ReplicationException>(() => UploadPartSize.Choose((52_000 * MiB) + 1, 10 * MiB));
        Assert.Equal(ReplicationErrorCodes.LayerTooLarge, error.ErrorCode);
        Assert.False(error.IsTransient);
    }
}
