using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Stack.Tests.Support;

namespace Stack.Tests;

public sealed class ParameterTests
{
    private static JsonNode Parameter(string name) => StackTemplate.Raw["Parameters"]![name] ?? throw new KeyNotFoundException(name);

    private static bool Admits(string name, string value) =>
        Regex.IsMatch(value, (string)Parameter(name)["AllowedPattern"]!, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    [Fact]
    public void Every_parameter_is_described()
    {
        Assert.All(StackTemplate.Raw["Parameters"]!.AsObject(), p => Assert.False(string.IsNullOrWhiteSpace((string?)p.Value!["Description"]), p.Key));
    }

    [Theory]
    [InlineData("ab", true)]
    [InlineData("team/app-x", true)]
    [InlineData("a.b_c--d/e__f", true)] // the ECR model admits '__' and runs of '-'
    [InlineData("a___b", false)]
    [InlineData("a..b", false)]
    [InlineData("org/team/service.v2_x", true)]
    [InlineData(Samples.LongRepository, true)]
    [InlineData(Samples.LongRepository + "e", false)]
    [InlineData("a", false)]
    [InlineData("Team/app", false)]
    [InlineData("team//app", false)]
    [InlineData("/app", false)]
    [InlineData("app/", false)]
    [InlineData("-app", false)]
    [InlineData("app name", false)]
    public void RepositoryNames_admits_ecr_names_short_enough_for_a_rule_name(string value, bool admitted)
    {
        Assert.Equal("CommaDelimitedList", (string)Parameter("RepositoryNames")["Type"]!);
        Assert.Null(Parameter("RepositoryNames")["Default"]);
        Assert.Equal(admitted, Admits("RepositoryNames", value));
    }

    [Theory]
    [InlineData("us-west-2", true)]
    [InlineData("us-gov-west-1", true)]
    [InlineData("ap-southeast-2", true)]
    [InlineData("US-WEST-2", false)]
    [InlineData("123456789012:us-west-2", false)]
    [InlineData("us-west", false)]
    public void DestinationRegions_admits_region_codes_of_this_account(string value, bool admitted)
    {
        Assert.Equal("CommaDelimitedList", (string)Parameter("DestinationRegions")["Type"]!);
        Assert.Equal(admitted, Admits("DestinationRegions", value));
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("ops@example.com", true)]
    [InlineData("not-an-address", false)]
    public void AlarmEmail_is_optional(string value, bool admitted)
    {
        Assert.Equal("", (string)Parameter("AlarmEmail")["Default"]!);
        Assert.Equal(admitted, Admits("AlarmEmail", value));
    }

    [Fact]
    public void MaxConcurrency_follows_the_sqs_scaling_config_range_and_ReplicateDeletes_is_a_boolean()
    {
        Assert.Equal(2, (int)Parameter("MaxConcurrency")["MinValue"]!);
        Assert.Equal(1000, (int)Parameter("MaxConcurrency")["MaxValue"]!);
        Assert.Equal(["true", "false"], Samples.Strings(Parameter("ReplicateDeletes")["AllowedValues"]));
        Assert.Equal("false", (string)Parameter("ReplicateDeletes")["Default"]!);
        Assert.Equal("", (string)Parameter("TagFilter")["Default"]!);
    }
}
