using Replicator.Core.Validation;

namespace Replicator.Core.Tests.Validation;

public class EcrNamesTests
{
    [Theory]
    [InlineData("ab")]
    [InlineData("my-repository-name")]
    [InlineData("team/app.v2")]
    [InlineData("a__b/c--d/e.f")]
    public void Valid_repository_names_pass(string name) => Assert.Null(EcrNames.ValidateRepositoryName(name));

    [Theory]
    [InlineData("", "missing")]
    [InlineData("a", "2 to 256")]
    [InlineData("Upper", "invalid")]
    [InlineData("../etc/passwd", "invalid")]
    [InlineData("a//b", "invalid")]
    [InlineData("a___b", "invalid")]
    [InlineData("trailing-", "invalid")]
    public void Invalid_repository_names_are_named_in_the_error(string name, string expected)
    {
        var error = EcrNames.ValidateRepositoryName(name);
        Assert.NotNull(error);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    /// <summary>botocore's ECR model, RepositoryName: min 2, max 256.</summary>
    [Fact]
    public void A_repository_name_of_256_characters_is_valid() => Assert.Null(EcrNames.ValidateRepositoryName(new string('a', 256)));

    [Fact]
    public void Overlong_repository_name_is_refused_and_quoted_short()
    {
        var error = EcrNames.ValidateRepositoryName(new string('a', 257));
        Assert.NotNull(error);
        Assert.Contains("(257 chars)", error, StringComparison.Ordinal);
        Assert.True(error.Length < 200);
    }

    [Theory]
    [InlineData("latest", true)]
    [InlineData("v1.2.3-rc_1", true)]
    [InlineData("_x", true)]
    [InlineData(".hidden", true)]
    [InlineData("-rc", true)]
    [InlineData("a b", false)]
    [InlineData("a/b", false)]
    [InlineData("v1:2", false)]
    [InlineData("caf\u00e9", false)]
    public void Tags_follow_ecrs_rule_not_the_stricter_distribution_spec(string tag, bool valid) => Assert.Equal(valid, EcrNames.IsTag(tag));

    [Fact]
    public void Tag_length_is_capped_at_the_models_300()
    {
        Assert.True(EcrNames.IsTag(new string('t', 300)));
        var error = EcrNames.ValidateTag(new string('t', 301));
        Assert.NotNull(error);
        Assert.Contains("(301 chars)", error, StringComparison.Ordinal);
        Assert.Contains("ECR's tag rule is 1 to 300 characters", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true)]
    [InlineData("sha256:" + "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", false)]
    [InlineData("sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234", false)]
    [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e", false)]
    // The OCI image spec's encoded part is [a-f0-9] (descriptor.md, "SHA-256": /[a-f0-9]{64}/): a letter past 'f',
    // or the character after '9', is no hex digit even in lowercase and at the full length.
    [InlineData("sha256:" + "0123456789abcdeg0123456789abcdef0123456789abcdef0123456789abcdef", false)]
    [InlineData("sha256:" + "0123456789abcdez0123456789abcdef0123456789abcdef0123456789abcdef", false)]
    [InlineData("sha256:" + "012345678:abcdef0123456789abcdef0123456789abcdef0123456789abcdef", false)]
    [InlineData("sha512:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true)]
    [InlineData("sha512:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", false)]
    public void Digests_are_sha256_or_sha512_in_full_lowercase_hex(string digest, bool valid) => Assert.Equal(valid, EcrNames.IsDigest(digest));

    [Fact]
    public void The_digest_error_names_both_algorithms() =>
        Assert.EndsWith("is invalid: expected sha256: and 64 lowercase hex digits (or sha512: and 128)", EcrNames.ValidateDigest("sha256:123"), StringComparison.Ordinal);

    [Theory]
    [InlineData("123456789012", true)]
    [InlineData("12345678901", false)]
    [InlineData("12345678901a", false)]
    public void Registry_ids_are_twelve_digits(string id, bool valid) => Assert.Equal(valid, EcrNames.IsRegistryId(id));

    [Theory]
    [InlineData("us-east-1", true)]
    [InlineData("us-gov-west-1", true)]
    [InlineData("cn-northwest-1", true)]
    [InlineData("ap-southeast-7", true)]
    [InlineData("mars-1", false)]
    [InlineData("US-EAST-1", false)]
    [InlineData("us-east", false)]
    public void Regions_look_like_aws_regions(string region, bool valid) => Assert.Equal(valid, EcrNames.IsRegion(region));

    [Fact]
    public void Control_characters_are_escaped_in_messages()
    {
        var error = EcrNames.ValidateTag("bad\ntag");
        Assert.NotNull(error);
        Assert.DoesNotContain("\n", error, StringComparison.Ordinal);
        Assert.Contains("\\u000a", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_trailing_newline_is_refused_everywhere()
    {
        // Regex '$' also matches before a final "\n"; a value with one must never pass as valid.
        Assert.False(EcrNames.IsRepositoryName("team/app\n"));
        Assert.False(EcrNames.IsTag("v1\n"));
        Assert.False(EcrNames.IsDigest("sha256:" + new string('a', 64) + "\n"));
        Assert.False(EcrNames.IsRegistryId("000000000000\n"));
        Assert.False(EcrNames.IsRegion("us-east-1\n"));
    }

    [Theory]
    [InlineData(79)]
    [InlineData(78)]
    public void A_long_value_is_cut_between_characters_never_inside_a_surrogate_pair(int before)
    {
        // An emoji (two UTF-16 units) whose halves would fall on either side of the 80-unit cut, or just before it.
        var value = new string('a', before) + "\U0001F600" + new string('b', 40);
        var quoted = EcrNames.Quote(value);

        var kept = quoted[1..quoted.IndexOf("...", StringComparison.Ordinal)];
        Assert.Equal(before == 79 ? new string('a', 79) : new string('a', 78) + "\U0001F600", kept);
        Assert.Equal(System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(quoted)), quoted);
        Assert.EndsWith($"...({value.Length} chars)'", quoted, StringComparison.Ordinal);
    }
}
