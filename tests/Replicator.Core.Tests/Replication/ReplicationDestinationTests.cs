using Replicator.Core.Configuration;
using Replicator.Core.Replication;

namespace Replicator.Core.Tests.Replication;

/// <summary>The one destination grammar both shells use (DESTINATION_REGIONS, --destination-region).</summary>
public sealed class ReplicationDestinationTests
{
    [Theory]
    [InlineData("us-west-2", "us-west-2", null)]
    [InlineData("123456789012:eu-west-1", "eu-west-1", "123456789012")]
    public void An_entry_is_a_region_or_an_account_and_a_region(string entry, string region, string? account)
    {
        var destination = ReplicationDestination.Parse(entry);

        Assert.Equal(new ReplicationDestination(region, account), destination);
        Assert.Equal(entry, destination.ToString());
    }

    [Theory]
    [InlineData("12:us-west-2", "account (registry id) '12' is invalid")]
    [InlineData("nowhere", "region 'nowhere' is not an AWS region name")]
    [InlineData("123456789012:", "region")]
    public void A_bad_entry_names_what_is_wrong(string entry, string expected)
    {
        var error = Assert.Throws<FormatException>(() => ReplicationDestination.Parse(entry));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("us-east-1", null, true)]
    [InlineData("us-east-1", "111111111111", true)]
    [InlineData("111111111111:us-east-1", "111111111111", true)]
    [InlineData("111111111111:us-east-1", null, false)]
    [InlineData("222222222222:us-east-1", "111111111111", false)]
    [InlineData("us-west-2", "111111111111", false)]
    public void Only_the_source_region_in_the_source_account_is_the_source(string entry, string? sourceAccount, bool expected) =>
        Assert.Equal(expected, ReplicationDestination.Parse(entry).IsSource("us-east-1", sourceAccount));

    [Fact]
    public void A_list_keeps_its_order_and_refuses_a_destination_named_twice()
    {
        Assert.Equal(
            [new ReplicationDestination("us-west-2"), new ReplicationDestination("us-west-2", "123456789012")],
            ReplicationDestination.ParseAll(["us-west-2", "123456789012:us-west-2"]));

        var error = Assert.Throws<SettingException>(() => ReplicationDestination.ParseAll(["us-west-2", "eu-west-1", "us-west-2"], "--destination-region"));
        Assert.Equal("--destination-region", error.Setting);
        Assert.Equal("entry 'us-west-2' is listed twice", error.Problem);
    }

    [Fact]
    public void A_bad_entry_in_a_list_names_the_setting_and_the_entry()
    {
        var error = Assert.Throws<SettingException>(() => ReplicationDestination.ParseAll(["us-west-2", "12:us-west-2"]));

        Assert.Equal(ReplicationDestination.Variable, error.Setting);
        Assert.StartsWith("entry '12:us-west-2': account (registry id) '12' is invalid", error.Problem, StringComparison.Ordinal);
    }

    /// <summary>
    /// An empty entry of a list (two commas in a row, a trailing comma) is refused as that, naming the setting: more
    /// often a region left out than a stray comma, which an error about an empty region name would not say.
    /// </summary>
    [Theory]
    [InlineData("us-west-2,,eu-west-1")]
    [InlineData("us-west-2, ")]
    public void An_empty_entry_in_a_list_is_refused_as_an_empty_entry(string list)
    {
        var error = Assert.Throws<SettingException>(() => ReplicationDestination.ParseLists([list], "--destination-region"));

        Assert.Equal("--destination-region", error.Setting);
        Assert.Equal("has an empty entry", error.Problem);
    }

    [Theory]
    [InlineData(true, "us-west-2,eu-west-1")]
    [InlineData(false, "us-west-2,eu-west-1,111111111111:us-west-2")]
    public void Each_registry_is_a_destination_once_and_the_source_never(bool ownCredentials, string expected)
    {
        // 111111111111 is the source account: with the replicator's own credentials the bare us-west-2 is its registry
        // there too; written with other credentials (a role, a key pair) it is an account the replicator cannot name.
        ReplicationDestination[] configured = [new("us-east-1"), new("us-west-2"), new("eu-west-1"), new("us-west-2", "111111111111"), new("us-east-1", "111111111111")];

        var destinations = ReplicationDestination.For(configured, "us-east-1", "111111111111", d => ownCredentials || d.RegistryId is not null);

        Assert.Equal(expected, string.Join(',', destinations));
    }

    [Fact]
    public void Without_a_source_account_no_bare_region_is_an_alias()
    {
        ReplicationDestination[] configured = [new("us-west-2"), new("us-west-2", "111111111111")];

        Assert.Equal(configured, ReplicationDestination.For(configured, "us-east-1", null, _ => true));
    }
}
