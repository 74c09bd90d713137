using Replicator.Cli.Output;

namespace Replicator.Cli.Tests.Output;

public sealed class FormatTests
{
    [Theory]
    [InlineData("sha256:0123456789abcdef0123", "sha256:0123456789ab")]
    [InlineData("sha256:0123", "sha256:0123")]
    [InlineData(null, "-")]
    public void Short_digests_keep_twelve_hex_digits(string? digest, string expected) => Assert.Equal(expected, Format.ShortDigest(digest));

    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(5L * 1024 * 1024 * 1024, "5.0 GiB")]
    public void Bytes_use_binary_units(long bytes, string expected) => Assert.Equal(expected, Format.Bytes(bytes));
}
