using System.Text;
using Replicator.Core.Errors;

namespace Replicator.Core.Tests.Errors;

public sealed class JsonErrorTextTests
{
    [Theory]
    [InlineData("{\"a\":1,", "invalid JSON at line 1, byte 7 of the line")]
    [InlineData("{\n  \"a\": tru\n}", "invalid JSON at line 2, byte 11 of the line")]
    [InlineData("not json", "invalid JSON at line 1, byte 2 of the line")]
    [InlineData("{\"a\":[[[[1]]]]}", "nested deeper than the maximum depth of 4")]
    [InlineData("{\"a\":{\"b\":1,\"b\":2}}", "a member name appears twice in one object: 'b'")]
    [InlineData("[{\"x\":1},{\"a\":1,\"\\u0061\":2}]", "a member name appears twice in one object: 'a'")]
    [InlineData("{\"\\udc00\":0,\"x\":{\"a\":1,\"a\":2}}", "a member name appears twice in one object: 'a'")]
    public void Names_what_is_wrong_in_its_own_words(string json, string expected) =>
        Assert.Equal(expected, JsonErrorText.Describe(Encoding.UTF8.GetBytes(json), maxDepth: 4));

    [Fact]
    public void A_syntax_error_is_named_before_a_duplicate_that_precedes_it()
    {
        // The strict parse stops at the duplicate; the document would be refused for its syntax whatever the options.
        Assert.StartsWith("invalid JSON", JsonErrorText.Describe("{\"a\":1,\"a\":2,"u8.ToArray(), maxDepth: 64), StringComparison.Ordinal);
    }

    [Fact]
    public void A_long_duplicate_name_is_cut()
    {
        var name = new string('n', 500);
        var text = JsonErrorText.Describe(Encoding.UTF8.GetBytes($"{{\"{name}\":1,\"{name}\":2}}"), maxDepth: 64);

        Assert.Equal($"a member name appears twice in one object: '{new string('n', 100)}...'", text);
    }
}
