using System.Text.Json.Nodes;

namespace Stack.Tests.Support;

/// <summary>Parameter sets the expanded template is checked with, built once per test run.</summary>
internal static class Samples
{
    /// <summary>49 characters, the longest name the RepositoryNames pattern admits, with '/', '-', '.', '_'.</summary>
    public const string LongRepository = "platform/team-services/image-builder.tools_v2abcd";

    public static readonly string[] Repositories = ["team/app-x", "base.img", LongRepository];

    public static readonly string[] Destinations = ["us-west-2", "eu-west-1"];

    private static readonly Lazy<DeployedTemplate> WithDeletesLazy = new(() => StackTemplate.Expand(
        new Dictionary<string, string>
        {
            ["RepositoryNames"] = string.Join(',', Repositories),
            ["DestinationRegions"] = string.Join(',', Destinations),
            ["ReplicateDeletes"] = "true",
            ["TagFilter"] = "^v[0-9]+",
            ["MaxConcurrency"] = "7",
            ["AlarmEmail"] = "ops@example.com",
        }));

    private static readonly Lazy<DeployedTemplate> PushOnlyLazy = new(() => StackTemplate.Expand(
        new Dictionary<string, string>
        {
            ["RepositoryNames"] = "solo",
            ["DestinationRegions"] = "ap-southeast-2",
            ["ReplicateDeletes"] = "false",
            ["AlarmEmail"] = "",
        }));

    private static readonly Lazy<DeployedTemplate> DestinationsLazy = new(() => StackTemplate.Expand(
        new Dictionary<string, string>
        {
            ["RepositoryNames"] = "team/app",
            ["DestinationRegions"] = "us-west-2",
            ["OtherAccountDestinations"] = "222222222222:us-west-2,222222222222:eu-west-1,444444444444:us-west-2",
            ["OtherPartitionDestinations"] = "333333333333:cn-north-1,us-gov-west-1",
            ["DestinationCredentials"] = "333333333333:cn-north-1=ssm:/replicator/cn,us-gov-west-1=ssm:/replicator/gov",
            ["RepositoryMapping"] = "team/=mirror/team/",
            ["DestinationRoleName"] = "writer",
            ["DestinationExternalId"] = "ext-123",
            ["AlarmEmail"] = "",
        }));

    /// <summary>Other accounts, other partitions (SSM-held keys) and a repository mapping.</summary>
    public static DeployedTemplate OtherDestinations => DestinationsLazy.Value;

    /// <summary>Three repositories, two destinations, deletes replicated, alarm email given.</summary>
    public static DeployedTemplate WithDeletes => WithDeletesLazy.Value;

    /// <summary>One repository, one destination, pushes only, no alarm email.</summary>
    public static DeployedTemplate PushOnly => PushOnlyLazy.Value;

    public static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonArray array => array.Select(n => (string)n!),
        null => [],
        _ => [(string)node!],
    };
}
