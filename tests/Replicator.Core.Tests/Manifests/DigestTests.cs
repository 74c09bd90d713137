using Replicator.Core.Manifests;

namespace Replicator.Core.Tests.Manifests;

public class DigestTests
{
    [Fact]
    public void Compute_is_sha256_of_the_bytes() =>
        Assert.Equal("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", Digest.Compute("{}"u8));

    [Fact]
    public void Compute_like_follows_the_algorithm_named()
    {
        var sha512 = Digest.ComputeLike("sha512:x", "{}"u8);

        Assert.StartsWith("sha512:", sha512, StringComparison.Ordinal);
        Assert.Equal(7 + 128, sha512!.Length);
        Assert.True(Digest.Matches(sha512, "{}"u8));
        Assert.Null(Digest.ComputeLike("md5:x", "{}"u8));
    }

    [Theory]
    [InlineData("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", true)]
    [InlineData("sha256:44136FA355B3678A1146AD16F7E8649E94FB4FC21FE77E8310C060F61CAAFF8A", false)]
    [InlineData("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8", false)]
    [InlineData("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a0", false)]
    [InlineData("sha384:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", false)]
    [InlineData("44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Validity(string? digest, bool valid)
    {
        Assert.Equal(valid, Digest.IsValid(digest));
        Assert.Equal(valid, Digest.Validate(digest) is null);
    }

    [Fact]
    public void Validation_message_quotes_the_value() =>
        Assert.Contains("'sha256:xyz' is invalid", Digest.Validate("sha256:xyz"), StringComparison.Ordinal);
}
