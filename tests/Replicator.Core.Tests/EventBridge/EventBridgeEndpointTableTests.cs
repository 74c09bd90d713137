using Replicator.Core.Configuration;
using Replicator.Core.EventBridge;
using Replicator.Core.Partitions;
using Replicator.Core.Tests.Support;
using Replicator.Testing;

namespace Replicator.Core.Tests.EventBridge;

/// <summary>
/// The EventBridge endpoint of every region of every partition, with and without FIPS and dual-stack, against the
/// table Fixtures/generate_endpoints.py wrote from botocore's own resolver (Fixtures/events-endpoints.tsv).
/// </summary>
public sealed class EventBridgeEndpointTableTests
{
    public static TheoryData<string, string, bool, bool, string> Rows() => EndpointTable.Read("events-endpoints.tsv");

    [Fact]
    public void The_table_covers_every_partition_botocore_knows()
    {
        var partitions = Rows().Select(r => (string)r[1]).ToHashSet();
        Assert.Equal(AwsPartitions.All.Select(p => p.Id).Order(StringComparer.Ordinal), partitions.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Endpoint_matches_botocore(string region, string partition, bool fips, bool dualStack, string url)
    {
        Assert.NotEqual("error", url);
        Assert.Equal(partition, AwsPartitions.IdOf(region));
        Assert.Equal(new Uri(url), EventBridgeEndpoints.ForRegion(region, fips, dualStack));
        Assert.Equal(new Uri(url), EventBridgeEndpoints.Resolve(region, Environment(("AWS_USE_FIPS_ENDPOINT", fips ? "true" : "false"), ("AWS_USE_DUALSTACK_ENDPOINT", dualStack ? "true" : "false"))));
    }

    [Fact]
    public void The_service_variable_wins_over_the_global_one_and_both_over_FIPS()
    {
        var env = Environment(("AWS_USE_FIPS_ENDPOINT", "true"), ("AWS_ENDPOINT_URL", "http://127.0.0.1:6000"), ("AWS_ENDPOINT_URL_EVENTBRIDGE", "http://127.0.0.1:5000"));
        Assert.Equal(new Uri("http://127.0.0.1:5000/"), EventBridgeEndpoints.Resolve("us-east-1", env));
        Assert.Equal(new Uri("http://127.0.0.1:6000/"), EventBridgeEndpoints.Resolve("us-east-1", Environment(("AWS_ENDPOINT_URL", "http://127.0.0.1:6000"))));

        // The ECR variable is ECR's alone.
        Assert.Equal(new Uri("https://events.us-east-1.amazonaws.com/"), EventBridgeEndpoints.Resolve("us-east-1", Environment(("AWS_ENDPOINT_URL_ECR", "http://127.0.0.1:7000"))));
        Assert.Equal(
            new Uri("https://events.us-east-1.amazonaws.com/"),
            EventBridgeEndpoints.Resolve("us-east-1", Environment(("AWS_ENDPOINT_URL_EVENTBRIDGE", "http://127.0.0.1:5000"), ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"))));
    }

    [Fact]
    public void A_malformed_override_is_refused_by_name()
    {
        var ex = Assert.Throws<SettingException>(() => EventBridgeEndpoints.Resolve("us-east-1", Environment(("AWS_ENDPOINT_URL_EVENTBRIDGE", "events.local"))));
        Assert.Equal("AWS_ENDPOINT_URL_EVENTBRIDGE", ex.Setting);
    }

    private static DictionaryEnvironmentVariables Environment(params (string Name, string Value)[] values) =>
        DictionaryEnvironmentVariables.Of(values.ToDictionary(v => v.Name, v => v.Value));
}
