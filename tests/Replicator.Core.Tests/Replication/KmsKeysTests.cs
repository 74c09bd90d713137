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

    [Fact]
    public void Region_and_account_region_entries_are_keyed_as_ReplicatorOptions_KmsKeyIds_is()
    {
        var keys = KmsKeys.Parse(
            " us-west-2=alias/own, eu-west-1=arn:aws:kms:eu-west-1:111111111111:key/abc,222222222222:us-west-2=arn:aws:kms:us-west-2:222222222222:key/backup",
            Destinations);

        Assert.Equal(3, keys.Count);
        Assert.Equal("alias/own", keys["us-west-2"]);
        Assert.Equal("arn:aws:kms:eu-west-1:111111111111:key/abc", keys["eu-west-1"]);
        Assert.Equal("arn:aws:kms:us-west-2:222222222222:key/backup", keys["222222222222:us-west-2"]);
    }

    [Fact]
    public void A_scope_keeps_the_keys_of_its_destinations_in_use_and_checks_the_others_against_the_configured_ones()
    {
        const string Value = "us-west-2=alias/own,eu-west-1=alias/eu,222222222222:us-west-2=alias/backup";

        var selected = KmsKeys.Parse(Value, DestinationScope.Selected([new("us-west-2")], "us-west-2,eu-west-1,222222222222:us-west-2"));
        var grammarOnly = KmsKeys.Parse(Value, DestinationScope.Selected([new("us-west-2", "222222222222")], null));
        var none = KmsKeys.Parse(Value, DestinationScope.None);
        var typo = Assert.Throws<SettingException>(() => KmsKeys.Parse(Value, DestinationScope.Selected([new("us-west-2")], "us-west-2")));

        Assert.Equal(["us-west-2"], selected.Keys);
        Assert.Equal(["222222222222:us-west-2", "us-west-2"], grammarOnly.Keys.Order());
        Assert.Empty(none);
        Assert.Contains("region eu-west-1 is not in DESTINATION_REGIONS", typo.Problem, StringComparison.Ordinal);
        Assert.Throws<SettingException>(() => KmsKeys.Parse("us-west-2", DestinationScope.None));
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
    [InlineData("ap-south-1=key", "region ap-south-1 is not in DESTINATION_REGIONS")]
    [InlineData("444444444444:us-west-2=key", "destination 444444444444:us-west-2 is not in DESTINATION_REGIONS")]
    [InlineData("222222222222:eu-west-1=key", "destination 222222222222:eu-west-1 is not in DESTINATION_REGIONS")]
    [InlineData("us-west-2=a,us-west-2=b", "region us-west-2 is listed twice")]
    [InlineData("222222222222:us-west-2=a,222222222222:us-west-2=b", "destination 222222222222:us-west-2 is listed twice")]
    public void A_bad_entry_is_a_setting_error_naming_the_variable_and_the_problem(string value, string expected)
    {
        var error = Assert.Throws<SettingException>(() => KmsKeys.Parse(value, Destinations));

        Assert.Equal("DESTINATION_KMS_KEYS", error.Setting);
        Assert.Contains(expected, error.Problem, StringComparison.Ordinal);
    }
}
