using Replicator.Core.Signing;

namespace Replicator.Core.Tests.Signing;

/// <summary>Canonical forms the official suite's cases (SigV4TestSuite) do not reach.</summary>
public sealed class SigV4CanonicalizerTests
{
    /// <summary>
    /// RFC 3986 section 5.2.4 (remove_dot_segments): a ".." at the root removes nothing, so the path keeps its
    /// leading slash ("/../a" is "/a", not "a/").
    /// </summary>
    [Theory]
    [InlineData("/../a", "/a")]
    [InlineData("/a/../../b", "/b")]
    public void Dot_dot_segments_never_climb_above_the_root(string path, string expected) =>
        Assert.Equal(expected, SigV4Canonicalizer.CanonicalPath(path, normalize: true));

    /// <summary>
    /// "Sort the parameter names by character code point in ascending order. Parameters with duplicate names should be
    /// sorted by value." (AWS Signature Version 4, canonical query string: docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html).
    /// </summary>
    [Fact]
    public void Query_parameters_with_the_same_name_are_sorted_by_value()
    {
        KeyValuePair<string, string>[] query = [new("b", "0"), new("a", "2"), new("a", "1")];

        Assert.Equal("a=1&a=2&b=0", SigV4Canonicalizer.CanonicalQuery(query));
    }
}
