using Replicator.Core.Replication;
using Replicator.Function.Configuration;

namespace Replicator.Function.Tests.Configuration;

public class LayerMemoryFitTests
{
    // Two encoded 10 MiB parts (PartsInFlight 1, plus the one being read): 2 x 13,981,035 bytes, about 26.7 MiB.
    private static readonly long PerBlob = new ReplicatorOptions().PartBufferBytesPerBlob;

    [Fact]
    public void A_blob_takes_two_encoded_ten_mib_parts_with_the_engines_defaults()
    {
        // {"layerPartBlob":" + base64 of 10 MiB (4 x ceil(10,485,760 / 3)) + the closing quote, twice.
        Assert.Equal(2 * (18 + 13_981_016 + 1), PerBlob);
        Assert.Equal(3 * (18 + 13_981_016 + 1), new ReplicatorOptions { BlobCopy = new() { PartsInFlight = 2 } }.PartBufferBytesPerBlob);
    }

    /// <summary>(memory - 40 MB) / 26.7 MB blobs fit: 3 in Lambda's smallest size, 8 in 256 MB, 17 in 512 MB.</summary>
    [Theory]
    [InlineData(4, "128", 3)]
    [InlineData(16, "256", 8)]
    [InlineData(32, "512", 17)]
    [InlineData(8, "256", 8)]
    [InlineData(4, "1769", 4)]
    [InlineData(32, "10240", 32)]
    [InlineData(4, "40", 1)]
    [InlineData(2, "1", 1)]
    public void The_setting_is_lowered_to_what_the_memory_holds_and_never_below_one(int requested, string memory, int allowed)
    {
        var fit = LayerMemoryFit.For(requested, PerBlob, memory);

        Assert.NotNull(fit);
        Assert.Equal(allowed, fit.Allowed);
        Assert.Equal(allowed < requested, fit.Lowered);
        Assert.Equal(int.Parse(memory, System.Globalization.CultureInfo.InvariantCulture), fit.MemoryMegabytes);
    }

    /// <summary>Outside Lambda (a local run, the CLI's demo) the variable is unset: nothing is lowered or said.</summary>
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("-128")]
    [InlineData("1769MB")]
    [InlineData("1.5")]
    public void Without_a_memory_size_Lambda_could_give_there_is_no_fit(string? memory) =>
        Assert.Null(LayerMemoryFit.For(4, PerBlob, memory));

    [Fact]
    public void The_warning_names_the_setting_the_memory_and_both_remedies()
    {
        var fit = LayerMemoryFit.For(8, PerBlob, "128")!;

        Assert.Equal(
            "MAX_PARALLEL_LAYERS 8 needs about 254 MB of memory (40 MB + 26.7 MB per blob in flight), but the function has 128 MB "
            + "(AWS_LAMBDA_FUNCTION_MEMORY_SIZE): copying 3 blob(s) at once so that a large image is not stopped for lack of memory. "
            + "Raise FunctionMemorySize to at least 254, or set MaxParallelLayers to 3, to silence this",
            fit.Warning);
        Assert.Null(LayerMemoryFit.For(8, PerBlob, "1769")!.Warning);
    }
}
