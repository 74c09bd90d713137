using Replicator.Cli.Composition;
using Replicator.Cli.Selection;

namespace Replicator.Cli.Tests.Selection;

public sealed class ImageArgumentTests
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Fact]
    public void Parses_tags_and_digests()
    {
        Assert.Equal(new ImageArgument("team/app", "v1.2", null), ImageArgument.Parse("team/app:v1.2"));
        Assert.Equal(new ImageArgument("team/app", null, Digest), ImageArgument.Parse($"team/app@{Digest}"));
    }

    [Theory]
    [InlineData("team/app")]
    [InlineData(":v1")]
    [InlineData("team/app:")]
    [InlineData("team/app@sha256:xyz")]
    [InlineData("Team/app:v1")]
    public void Refuses_malformed_references(string value)
    {
        Assert.Throws<UsageException>(() => ImageArgument.Parse(value));
    }
}
