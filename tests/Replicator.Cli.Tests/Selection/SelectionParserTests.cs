using Replicator.Cli.Composition;
using Replicator.Cli.Selection;
using Replicator.Core.Replication;

namespace Replicator.Cli.Tests.Selection;

public sealed class SelectionParserTests
{
    private static SelectionCriteria Parse(SelectionInput input, string? defaultRegion = null, Func<string, bool>? known = null) =>
        SelectionParser.Parse(input, defaultRegion, known);

    [Fact]
    public void Destinations_are_repeatable_comma_separated_and_may_name_an_account()
    {
        var criteria = Parse(new SelectionInput
        {
            SourceRegion = "us-east-1",
            DestinationRegions = ["us-west-2,eu-west-1", "123456789012:eu-west-1"],
        });

        Assert.Equal(
            [new ReplicationDestination("us-west-2"), new ReplicationDestination("eu-west-1"), new ReplicationDestination("eu-west-1", "123456789012")],
            criteria.Destinations);
    }

    [Fact]
    public void A_destination_named_twice_is_refused_as_the_function_refuses_it()
    {
        var error = Assert.Throws<UsageException>(() => Parse(new SelectionInput
        {
            SourceRegion = "us-east-1",
            DestinationRegions = ["us-west-2,eu-west-1", "us-west-2"],
        }));

        Assert.Equal("--destination-region entry 'us-west-2' is listed twice", error.Message);
    }

    [Theory]
    [InlineData("us-west-2,,eu-west-1")]
    [InlineData("us-west-2,")]
    [InlineData(" , us-west-2")]
    public void An_empty_destination_entry_is_refused_as_the_function_refuses_it(string value)
    {
        var error = Assert.Throws<UsageException>(() => Parse(new SelectionInput { SourceRegion = "us-east-1", DestinationRegions = ["ap-south-1", value] }));

        Assert.Equal("--destination-region has an empty entry", error.Message);
        var function = Assert.Throws<Replicator.Core.Configuration.SettingException>(() => ReplicationDestination.ParseLists([value], "DESTINATION_REGIONS"));
        Assert.Equal("has an empty entry", function.Problem);
    }

    [Fact]
    public void The_default_region_is_used_when_no_source_region_is_given()
    {
        Assert.Equal("eu-central-1", Parse(new SelectionInput { DestinationRegions = ["us-west-2"] }, "eu-central-1").SourceRegion);
    }

    [Fact]
    public void Another_account_in_the_source_region_is_a_valid_destination()
    {
        var criteria = Parse(new SelectionInput { SourceRegion = "us-east-1", DestinationRegions = ["123456789012:us-east-1"] });

        Assert.Equal(new ReplicationDestination("us-east-1", "123456789012"), Assert.Single(criteria.Destinations));
    }

    [Fact]
    public void Known_region_check_applies_to_source_and_destinations()
    {
        var input = new SelectionInput { SourceRegion = "us-east-1", DestinationRegions = ["us-west-2"] };

        Assert.NotNull(Parse(input, known: r => r is "us-east-1" or "us-west-2"));
        var e = Assert.Throws<UsageException>(() => Parse(input, known: r => r == "us-west-2"));
        Assert.Equal("--source-region: region 'us-east-1' is not a known AWS region", e.Message);
    }

    [Theory]
    [InlineData("2025-01-31T12:00Z", "2025-01-31T12:00:00Z")]
    [InlineData("2025-01-31T12:00:00.25Z", "2025-01-31T12:00:00.25Z")]
    [InlineData("2025-01-31T12:00:00-05:00", "2025-01-31T17:00:00Z")]
    [InlineData("2025-01-31T12:00", "2025-01-31T12:00:00Z")]
    public void Since_takes_the_ISO_8601_forms(string given, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), SelectionParser.ParseSince(given));
    }

    [Theory]
    [InlineData("01/02/2025")] // 2 January in one country, 1 February in the next
    [InlineData("Jan 31 2025")]
    [InlineData("2025-01-31 12:00:00")]
    [InlineData("31.01.2025")]
    public void Since_refuses_a_date_that_is_not_ISO_8601(string given)
    {
        var refused = Assert.Throws<UsageException>(() => SelectionParser.ParseSince(given));

        Assert.Contains("ISO 8601", refused.Message, StringComparison.Ordinal);
        Assert.Contains(given, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Since_without_an_offset_is_utc()
    {
        Assert.Equal(new DateTimeOffset(2025, 1, 31, 0, 0, 0, TimeSpan.Zero), SelectionParser.ParseSince("2025-01-31"));
        Assert.Equal(new DateTimeOffset(2025, 1, 31, 10, 0, 0, TimeSpan.Zero), SelectionParser.ParseSince("2025-01-31T12:00:00+02:00"));
    }

    [Fact]
    public void Repository_filters_combine_names_and_prefix()
    {
        var criteria = Parse(new SelectionInput { SourceRegion = "us-east-1", DestinationRegions = ["us-west-2"], Repositories = ["team/a", "other/b"], RepositoryPrefix = "team/" });

        Assert.True(criteria.IncludesRepository("team/a"));
        Assert.False(criteria.IncludesRepository("other/b"));
        Assert.False(criteria.IncludesRepository("team/c"));
    }

    [Fact]
    public void Repository_filter_uses_the_function_grammar_and_narrows_the_other_options()
    {
        var criteria = Parse(new SelectionInput { SourceRegion = "us-east-1", DestinationRegions = ["us-west-2"], RepositoryPrefix = "team/", RepositoryFilter = "*,!team/secret*" });

        Assert.True(criteria.IncludesRepository("team/a"));
        Assert.False(criteria.IncludesRepository("team/secrets"));
        Assert.False(criteria.IncludesRepository("other/b"));
        Assert.True(Parse(new SelectionInput { SourceRegion = "us-east-1", DestinationRegions = ["us-west-2"] }).IncludesRepository("any/thing"));
    }

    [Theory]
    [InlineData("!sandbox/*", "--repository-filter selects nothing")]
    [InlineData("team/*/x", "--repository-filter pattern 'team/*/x' has * before its end")]
    public void A_bad_repository_filter_is_a_usage_error_naming_the_pattern(string filter, string expected)
    {
        var error = Assert.Throws<UsageException>(() => Parse(new SelectionInput { SourceRegion = "us-east-1", DestinationRegions = ["us-west-2"], RepositoryFilter = filter }));
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_and_sync_require_destinations_unless_told_otherwise()
    {
        Assert.Throws<UsageException>(() => Parse(new SelectionInput { SourceRegion = "us-east-1" }));
        Assert.Empty(SelectionParser.Parse(new SelectionInput { SourceRegion = "us-east-1" }, null, null, requireDestinations: false).Destinations);
    }
}
