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
            ["Architecture"] = "arm64",
        }));

    /// <summary>Three repositories, two destinations, deletes replicated, alarm email given.</summary>
    public static DeployedTemplate WithDeletes => WithDeletesLazy.Value;

    /// <summary>One repository, one destination, pushes only, no alarm email, on arm64.</summary>
    public static DeployedTemplate PushOnly => PushOnlyLazy.Value;

    public static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonArray array => array.Select(n => (string)n!),
        null => [],
        _ => [(string)node!],
    };
}
