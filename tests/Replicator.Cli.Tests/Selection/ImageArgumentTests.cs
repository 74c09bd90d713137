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

    [Fact]
    public void A_tag_only_parse_names_one_form_and_refuses_a_digest_with_the_callers_reason()
    {
        Assert.Equal(("team/app", "v1.2"), ImageArgument.ParseTagged("team/app:v1.2", "no digests here"));

        var untagged = Assert.Throws<UsageException>(() => ImageArgument.ParseTagged("team/app", "no digests here"));
        Assert.Equal("image 'team/app' must be REPOSITORY:TAG", untagged.Message);
        Assert.Equal("no digests here", Assert.Throws<UsageException>(() => ImageArgument.ParseTagged($"team/app@{Digest}", "no digests here")).Message);
        Assert.Equal("no digests here", Assert.Throws<UsageException>(() => ImageArgument.ParseTagged("team/app@sha256:xyz", "no digests here")).Message);
        Assert.Contains("image tag 'bad+tag' is invalid", Assert.Throws<UsageException>(() => ImageArgument.ParseTagged("team/app:bad+tag", "no digests here")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_untagged_image_is_told_both_forms_where_both_are_taken()
    {
        Assert.Equal("image 'team/app' must be REPOSITORY:TAG or REPOSITORY@DIGEST", Assert.Throws<UsageException>(() => ImageArgument.Parse("team/app")).Message);
    }

    /// <summary>A ':' or '@' with nothing after it names the image and the missing part, not only "image tag is missing".</summary>
    [Theory]
    [InlineData("team/app:", "image 'team/app:' has no tag after ':': give REPOSITORY:TAG")]
    [InlineData("team/app@", "image 'team/app@' has no digest after '@': give REPOSITORY@DIGEST")]
    public void An_empty_tag_or_digest_names_the_image(string value, string expected)
    {
        Assert.Equal(expected, Assert.Throws<UsageException>(() => ImageArgument.Parse(value)).Message);
    }
}
