using System.Text.Json.Nodes;

namespace Stack.Tests.Support;

/// <summary>Parameter sets the expanded template is checked with, built once per test run.</summary>
internal static class Samples
{
    /// <summary>A prefix, an exact name with '.', '_', '-' and an exclusion: one of each kind of pattern.</summary>
    public const string Filter = "team/*,base/nginx_v1.x-y,!team/secret*";

    /// <summary>Every repository but two prefixes: EventBridge excludes both (anything-but over a list of wildcards).</summary>
    public const string EverythingBut = "*,!sandbox/*,!tmp/*";

    /// <summary>Every repository but one prefix: the rule itself filters the exclusion, as for several.</summary>
    public const string EverythingButOne = "*,!sandbox/*";

    public static readonly string[] Destinations = ["us-west-2", "eu-west-1"];

    private static readonly Lazy<DeployedTemplate> WithDeletesLazy = new(() => StackTemplate.Expand(
        new Dictionary<string, string>
        {
            ["RepositoryFilter"] = Filter,
            ["DestinationRegions"] = string.Join(',', Destinations),
            ["ReplicateDeletes"] = "true",
            ["TagFilter"] = "^v[0-9]+",
            ["MaxConcurrency"] = "7",
            ["AlarmEmail"] = "ops@example.com",
        }));

    private static readonly Lazy<DeployedTemplate> PushOnlyLazy = new(() => StackTemplate.Expand(
        new Dictionary<string, string>
        {
            ["RepositoryFilter"] = "*",
            ["DestinationRegions"] = "ap-southeast-2",
            ["ReplicateDeletes"] = "false",
            ["AlarmEmail"] = "",
            ["Architecture"] = "arm64",
            ["FunctionMemorySize"] = "3538",
        }));

    private static readonly Lazy<DeployedTemplate> DestinationsLazy = new(() => StackTemplate.Expand(
        new Dictionary<string, string>
        {
            ["RepositoryFilter"] = "team/*",
            ["DestinationRegions"] = "us-west-2",
            ["OtherAccountDestinations"] = "222222222222:us-west-2,222222222222:eu-west-1,444444444444:us-west-2",
            ["OtherPartitionDestinations"] = "333333333333:cn-north-1,us-gov-west-1",
            ["DestinationCredentials"] = "333333333333:cn-north-1=ssm:/replicator/cn,us-gov-west-1=ssm:/replicator/gov",
            ["RepositoryMapping"] = "team/=mirror/team/",
            ["DestinationRoleName"] = "writer",
            ["DestinationRoleArns"] = "444444444444=arn:aws:iam::444444444444:role/platform/ecr-writer",
            ["DestinationExternalId"] = "ext-123",
            ["AlarmEmail"] = "",
        }));

    private static readonly Lazy<DeployedTemplate> OnlyOtherDestinationsLazy = new(() => StackTemplate.Expand(
        new Dictionary<string, string>
        {
            ["RepositoryFilter"] = "*",
            ["OtherAccountDestinations"] = "222222222222:us-west-2",
            ["OtherPartitionDestinations"] = "cn-north-1",
            ["DestinationCredentials"] = "cn-north-1=ssm:/replicator/cn",
            ["AlarmEmail"] = "",
        }));

    /// <summary>No region of this account (DestinationRegions at its empty default): another account and another partition only.</summary>
    public static DeployedTemplate OnlyOtherDestinations => OnlyOtherDestinationsLazy.Value;

    /// <summary>Other accounts, other partitions (SSM-held keys) and a repository mapping.</summary>
    public static DeployedTemplate OtherDestinations => DestinationsLazy.Value;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Filter, string Destinations), Lazy<DeployedTemplate>> BySelection = new();

    /// <summary>A stack for a filter and destinations with every other parameter at its default; each pair is expanded once per run.</summary>
    public static DeployedTemplate Selecting(string filter, string destinations = "us-west-2,eu-west-1") =>
        BySelection.GetOrAdd((filter, destinations), key => new Lazy<DeployedTemplate>(() => StackTemplate.Expand(
            new Dictionary<string, string> { ["RepositoryFilter"] = key.Filter, ["DestinationRegions"] = key.Destinations }))).Value;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Filter, string Mapping), Lazy<DeployedTemplate>> ByMapping = new();

    /// <summary>A stack for a filter and a RepositoryMapping, writing to <see cref="Destinations"/>; each pair is expanded once per run.</summary>
    public static DeployedTemplate Mapping(string filter, string mapping) =>
        ByMapping.GetOrAdd((filter, mapping), key => new Lazy<DeployedTemplate>(() => StackTemplate.Expand(
            new Dictionary<string, string>
            {
                ["RepositoryFilter"] = key.Filter,
                ["DestinationRegions"] = string.Join(',', Destinations),
                ["RepositoryMapping"] = key.Mapping,
                // Every write action, BatchDeleteImage included, must reach each mapped name.
                ["ReplicateDeletes"] = "true",
            }))).Value;

    /// <summary>The subnets of <see cref="Options"/>: ids of both lengths EC2 gives (8 and 17 hexadecimal digits).</summary>
    public static readonly string[] VpcSubnets = ["subnet-0123456789abcdef0", "subnet-89abcdef"];

    public static readonly string[] VpcSecurityGroups = ["sg-0123456789abcdef0"];

    private static readonly Lazy<DeployedTemplate> OptionsLazy = new(() => StackTemplate.Expand(
        new Dictionary<string, string>
        {
            ["RepositoryFilter"] = EverythingBut,
            ["DestinationRegions"] = string.Join(',', Destinations),
            ["RepositoryMapping"] = "=backup/,team/=mirror/team/",
            ["ReconcileSchedule"] = "",
            // A name, the form a user writes most (cfn-lint once refused it in PublishReplicatedEvents, E3510: the
            // ARN branch of an Fn::If, checked against the name).
            ["ReplicatedEventBus"] = "replicated",
            ["DestinationKmsKeys"] = "us-west-2=alias/replicas,eu-west-1=alias/replicas",
            ["AlarmEmail"] = "",
            ["AlarmTopicArn"] = "arn:aws:sns:us-east-1:123456789012:ops-alarms",
            ["CopyLifecyclePolicies"] = "false",
            ["SubnetIds"] = string.Join(',', VpcSubnets),
            ["SecurityGroupIds"] = string.Join(',', VpcSecurityGroups),
            ["ProxyUrl"] = ProxyUrl,
            ["NoProxy"] = NoProxy,
            ["CaBundlePath"] = CaBundlePath,
            ["PermissionsBoundaryArn"] = PermissionsBoundaryArn,
        }));

    /// <summary>The permissions boundary of <see cref="Options"/>: a customer managed policy under a path.</summary>
    public const string PermissionsBoundaryArn = "arn:aws:iam::123456789012:policy/boundaries/ReplicatorBoundary";

    /// <summary>The egress proxy of <see cref="Options"/>, with credentials, as an operator behind one gives it.</summary>
    public const string ProxyUrl = "http://replicator:s3cret@proxy.internal:3128";

    public const string NoProxy = "sqs.us-east-1.amazonaws.com,.vpce.amazonaws.com";

    public const string CaBundlePath = "/opt/certs/ca-bundle.pem";

    /// <summary>
    /// The optional branches the other samples leave out: a mapping of every name (MapsEveryName), reconciling off, a
    /// replicated-event bus, destination KMS keys, several exclusions filtered by the rule, alarms notifying an
    /// existing topic (AlarmTopicArn) without an email, no lifecycle policy copied (CopyLifecyclePolicies false), and
    /// the function in a VPC (SubnetIds, SecurityGroupIds) behind an egress proxy (ProxyUrl, NoProxy, CaBundlePath), and
    /// a permissions boundary on every role (PermissionsBoundaryArn).
    /// </summary>
    public static DeployedTemplate Options => OptionsLazy.Value;

    /// <summary>
    /// Stacks that together take every optional branch of the template, for checks of the whole expanded template
    /// (cfn-lint, about 7 s per file); the filter shapes differ only in the rule's pattern string and the IAM lists.
    /// </summary>
    public static IReadOnlyList<(string Name, DeployedTemplate Stack)> EveryBranch() =>
    [
        ("with-deletes", WithDeletes),
        ("push-only", PushOnly),
        ("other-destinations", OtherDestinations),
        ("options", Options),
        ("only-other-destinations", OnlyOtherDestinations),
    ];

    /// <summary><see cref="Filter"/>, two destinations, deletes replicated, alarm email given.</summary>
    public static DeployedTemplate WithDeletes => WithDeletesLazy.Value;

    /// <summary>Every repository, one destination, pushes only, no alarm email, on arm64 with two vCPUs (FunctionMemorySize 3538).</summary>
    public static DeployedTemplate PushOnly => PushOnlyLazy.Value;

    public static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonArray array => array.Select(n => (string)n!),
        null => [],
        _ => [(string)node!],
    };
}
