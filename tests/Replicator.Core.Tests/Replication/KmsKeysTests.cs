using Replicator.Core.Configuration;
using Replicator.Core.Replication;

namespace Replicator.Core.Tests.Replication;

/// <summary>DESTINATION_KMS_KEYS, the one rule the function and the CLI read it with.</summary>
public sealed class KmsKeysTests
{
    private static readonly ReplicationDestination[] Destinations =
    [
        new("us-west-2"),
        new("eu-west-1"),
        new("us-west-2", "222222222222"),
        new("us-west-2", "333333333333"),
    ];

    private const string Id = "1234abcd-12ab-34cd-56ef-1234567890ab";

    [Fact]
    public void Region_and_account_region_entries_are_keyed_as_ReplicatorOptions_KmsKeyIds_is()
    {
        var keys = KmsKeys.Parse(
            $" us-west-2=alias/own, eu-west-1=arn:aws:kms:eu-west-1:111111111111:key/{Id},222222222222:us-west-2=arn:aws:kms:us-west-2:222222222222:key/{Id}",
            Destinations);

        Assert.Equal(3, keys.Count);
        Assert.Equal("alias/own", keys["us-west-2"]);
        Assert.Equal($"arn:aws:kms:eu-west-1:111111111111:key/{Id}", keys["eu-west-1"]);
        Assert.Equal($"arn:aws:kms:us-west-2:222222222222:key/{Id}", keys["222222222222:us-west-2"]);
    }

    [Fact]
    public void A_scope_keeps_the_keys_of_its_destinations_in_use_and_reports_those_naming_none_of_the_configured_ones()
    {
        const string Value = "us-west-2=alias/own,eu-west-1=alias/eu,222222222222:us-west-2=alias/backup";
        List<IgnoredEntry> selectedIgnored = [], grammarOnlyIgnored = [], noneIgnored = [], typoIgnored = [];

        var selected = KmsKeys.Parse(Value, DestinationScope.Selected([new("us-west-2")], "us-west-2,eu-west-1,222222222222:us-west-2"), selectedIgnored);
        var grammarOnly = KmsKeys.Parse(Value, DestinationScope.Selected([new("us-west-2", "222222222222")], null), grammarOnlyIgnored);
        var none = KmsKeys.Parse(Value, DestinationScope.None, noneIgnored);
        var typo = KmsKeys.Parse(Value, DestinationScope.Selected([new("us-west-2")], "us-west-2"), typoIgnored);

        Assert.Equal(["us-west-2"], selected.Keys);
        Assert.Equal(["222222222222:us-west-2", "us-west-2"], grammarOnly.Keys.Order());
        Assert.Empty(none);
        Assert.Equal(["us-west-2"], typo.Keys);

        // Configured but not selected: left out silently; configured nowhere: left out and reported.
        Assert.Empty(selectedIgnored);
        Assert.Empty(grammarOnlyIgnored);
        Assert.Empty(noneIgnored);
        Assert.Equal(
            [
                new IgnoredEntry("DESTINATION_KMS_KEYS", "eu-west-1=alias/eu", "region eu-west-1 is not in DESTINATION_REGIONS (nor the CLI's --destination-region)"),
                new IgnoredEntry("DESTINATION_KMS_KEYS", "222222222222:us-west-2=alias/backup", "destination 222222222222:us-west-2 is not in DESTINATION_REGIONS (nor the CLI's --destination-region)"),
            ],
            typoIgnored);
        Assert.Throws<SettingException>(() => KmsKeys.Parse("us-west-2", DestinationScope.None));
    }

    /// <summary>
    /// A region dropped from DESTINATION_REGIONS with its key left behind: the function's scope ignores the entry and
    /// reports it (a WARN at init), as the CLI's does; refusing it stopped every destination at init.
    /// </summary>
    [Theory]
    [InlineData("ap-south-1=alias/ecr", "region ap-south-1 is not in DESTINATION_REGIONS")]
    [InlineData("444444444444:us-west-2=alias/ecr", "destination 444444444444:us-west-2 is not in DESTINATION_REGIONS")]
    [InlineData("222222222222:eu-west-1=alias/ecr", "destination 222222222222:eu-west-1 is not in DESTINATION_REGIONS")]
    public void An_entry_naming_no_configured_destination_is_ignored_and_reported(string entry, string reason)
    {
        var ignored = new List<IgnoredEntry>();

        var keys = KmsKeys.Parse($"us-west-2=alias/own,{entry}", Destinations, ignored);

        Assert.Equal(["us-west-2"], keys.Keys);
        var reported = Assert.Single(ignored);
        Assert.Equal(("DESTINATION_KMS_KEYS", entry), (reported.Setting, reported.Entry));
        Assert.StartsWith(reason, reported.Reason, StringComparison.Ordinal);
        Assert.Equal(["us-west-2"], KmsKeys.Parse($"us-west-2=alias/own,{entry}", Destinations).Keys);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void No_value_is_no_key(string? value)
    {
        Assert.Empty(KmsKeys.Parse(value, Destinations));
        Assert.Empty(KmsKeys.Parse(value, []));
    }

    [Theory]
    [InlineData("us-west-2", "REGION=KEY")]
    [InlineData("=key", "REGION=KEY")]
    [InlineData("us-west-2=", "REGION=KEY")]
    [InlineData("us-west-2=alias/a b", "REGION=KEY")]
    [InlineData("12:us-west-2=key", "12")]
    [InlineData("mars=key", "not an AWS region")]

    // Malformed, an entry is refused whichever destination it names, configured or not.
    [InlineData("ap-south-1=key", "entry 'ap-south-1=key': the key must be a key id")]
    [InlineData("ap-south-1=alias/a,ap-south-1=alias/b", "region ap-south-1 is listed twice")]
    [InlineData("444444444444:us-west-2=arn:aws:kms:eu-west-1:444444444444:alias/a", "the key is in region eu-west-1, not us-west-2")]
    [InlineData("us-west-2=alias/a,us-west-2=alias/b", "region us-west-2 is listed twice")]
    [InlineData("222222222222:us-west-2=alias/a,222222222222:us-west-2=alias/b", "destination 222222222222:us-west-2 is listed twice")]
    public void A_bad_entry_is_a_setting_error_naming_the_variable_and_the_problem(string value, string expected)
    {
        var error = Assert.Throws<SettingException>(() => KmsKeys.Parse(value, Destinations));

        Assert.Equal("DESTINATION_KMS_KEYS", error.Setting);
        Assert.Contains(expected, error.Problem, StringComparison.Ordinal);
    }

    /// <summary>
    /// The four forms ECR's CreateRepository takes as kmsKey: a key id (a UUID, or mrk- for a multi-Region key), an
    /// alias, the ARN of either. An ARN of another account is a cross-account key, which that key's policy decides.
    /// </summary>
    [Theory]
    [InlineData(Id)]
    [InlineData("mrk-0123456789abcdef0123456789abcdef")]
    [InlineData("alias/ecr")]
    [InlineData("alias/team/ecr_replicas-1")]
    [InlineData($"arn:aws:kms:us-west-2:222222222222:key/{Id}")]
    [InlineData("arn:aws:kms:us-west-2:444444444444:key/mrk-0123456789abcdef0123456789abcdef")]
    [InlineData("arn:aws:kms:us-west-2:222222222222:alias/replicas")]
    public void Each_key_form_of_CreateRepository_is_accepted(string key)
    {
        var keys = KmsKeys.Parse($"us-west-2={key},222222222222:us-west-2={key}", Destinations);

        Assert.Equal(key, keys["us-west-2"]);
        Assert.Equal(key, keys["222222222222:us-west-2"]);
    }

    [Theory]
    [InlineData("us-west-2=abc", "entry 'us-west-2=abc': the key must be a key id")]
    [InlineData("us-west-2=1234abcd-12ab-34cd-56ef-1234567890", "the key must be a key id")]
    [InlineData("us-west-2=mrk-0123", "the key must be a key id")]
    [InlineData("us-west-2=alias/", "the key must be a key id")]
    [InlineData("us-west-2=alias/a.b", "the key must be a key id")]
    [InlineData("us-west-2=key/" + Id, "the key must be a key id")]
    [InlineData("us-west-2=arn:aws:kms:us-west-2:222222222222:key/backup", "the key must be a KMS ARN")]
    [InlineData("us-west-2=arn:aws:kms:us-west-2:2222:key/" + Id, "the key must be a KMS ARN")]
    [InlineData("us-west-2=arn:aws:iam::222222222222:role/" + Id, "the key must be a KMS ARN")]
    [InlineData("us-west-2=arn:aws:kms:us-west-2:222222222222:key/*", "the key must be a KMS ARN")]
    [InlineData("eu-west-1=arn:aws:kms:us-west-2:222222222222:key/" + Id, "the key is in region us-west-2, not eu-west-1")]
    [InlineData("222222222222:us-west-2=arn:aws:kms:eu-west-1:222222222222:alias/replicas", "the key is in region eu-west-1, not us-west-2")]
    [InlineData("us-west-2=arn:aws-cn:kms:us-west-2:222222222222:key/" + Id, "the key is in partition aws-cn, the destination region us-west-2 in aws")]
    public void A_key_that_cannot_encrypt_the_destination_repository_is_refused_naming_the_entry(string value, string expected)
    {
        var error = Assert.Throws<SettingException>(() => KmsKeys.Parse(value, Destinations));

        Assert.Equal("DESTINATION_KMS_KEYS", error.Setting);
        Assert.Contains(expected, error.Problem, StringComparison.Ordinal);
        Assert.Contains(value.Split('=')[0], error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_of_another_partition_is_checked_against_its_destination_region()
    {
        ReplicationDestination[] china = [new("cn-north-1", "333333333333"), new("us-west-2")];
        const string ChinaKey = "arn:aws-cn:kms:cn-north-1:333333333333:key/" + Id;

        var keys = KmsKeys.Parse($"333333333333:cn-north-1={ChinaKey}", china);
        var error = Assert.Throws<SettingException>(() => KmsKeys.Parse($"333333333333:cn-north-1=arn:aws:kms:cn-north-1:333333333333:key/{Id}", china));

        Assert.Equal(ChinaKey, keys["333333333333:cn-north-1"]);
        Assert.Contains("the key is in partition aws, the destination region cn-north-1 in aws-cn", error.Problem, StringComparison.Ordinal);
    }

    /// <summary>
    /// An alias name is at most 256 characters, its <c>alias/</c> prefix among them (botocore's KMS model,
    /// AliasNameType: max 256), alone or as the resource of an alias ARN: one character more is a key no
    /// CreateRepository can use, refused here rather than by ECR at the first copy.
    /// </summary>
    [Fact]
    public void An_alias_is_at_most_256_characters_with_its_prefix_alone_or_in_an_ARN()
    {
        var longest = "alias/" + new string('a', 250);
        var tooLong = longest + "a";

        Assert.Equal(longest, KmsKeys.Parse($"us-west-2={longest}", Destinations)["us-west-2"]);
        Assert.Equal($"arn:aws:kms:us-west-2:222222222222:{longest}", KmsKeys.Parse($"us-west-2=arn:aws:kms:us-west-2:222222222222:{longest}", Destinations)["us-west-2"]);
        Assert.Contains("the key must be a key id", Assert.Throws<SettingException>(() => KmsKeys.Parse($"us-west-2={tooLong}", Destinations)).Problem, StringComparison.Ordinal);
        Assert.Contains("the key must be a KMS ARN", Assert.Throws<SettingException>(() => KmsKeys.Parse($"us-west-2=arn:aws:kms:us-west-2:222222222222:{tooLong}", Destinations)).Problem, StringComparison.Ordinal);
    }
}
