using System.Text.RegularExpressions;
using Replicator.Core.Configuration;
using Replicator.Core.Partitions;
using Replicator.Core.Replication;
using Replicator.Core.Validation;

namespace Replicator.Core.Destinations;

/// <summary>
/// Which credentials write to which destination, from <c>DESTINATION_ROLE_NAME</c>, <c>DESTINATION_ROLE_ARNS</c>,
/// <c>DESTINATION_EXTERNAL_ID</c> and <c>DESTINATION_CREDENTIALS</c>. Pure: <see cref="Route"/> decides, the
/// credential sources act. A region of the source account uses the replicator's own credentials; another account
/// a role there (STS AssumeRole); another partition an IAM user's keys from SSM, because STS cannot cross
/// partitions (docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html: a role
/// trusts principals of its own partition only).
/// </summary>
public sealed partial record DestinationAccess
{
    public const string RoleNameVariable = "DESTINATION_ROLE_NAME";
    public const string RoleArnsVariable = "DESTINATION_ROLE_ARNS";
    public const string ExternalIdVariable = "DESTINATION_EXTERNAL_ID";
    public const string CredentialsVariable = "DESTINATION_CREDENTIALS";

    /// <summary>The role <c>destination-role.yaml</c> creates in each destination account.</summary>
    public const string DefaultRoleName = "ecr-replicator-destination";

    /// <summary>What the parameter reference starts with in <c>DESTINATION_CREDENTIALS</c>.</summary>
    public const string SsmScheme = "ssm:";

    /// <summary>The replicator's own credentials everywhere: today's behaviour, and what tests without STS use.</summary>
    public static DestinationAccess SourceOnly { get; } = new();

    /// <summary>
    /// DESTINATION_ROLE_NAME: the role assumed in an account that <see cref="RoleArns"/> does not name, as its ARN
    /// writes it after <c>:role/</c>: its name, or for a role under a path PATH/NAME (the path without its leading slash).
    /// </summary>
    public string RoleName { get; init; } = DefaultRoleName;

    /// <summary>DESTINATION_ROLE_ARNS: a role per account, overriding <see cref="RoleName"/>.</summary>
    public IReadOnlyDictionary<string, string> RoleArns { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>DESTINATION_EXTERNAL_ID: sent with every AssumeRole (the confused-deputy guard of a third-party role).</summary>
    public string? ExternalId { get; init; }

    /// <summary>DESTINATION_CREDENTIALS: the SSM parameter holding the credentials of a destination.</summary>
    public IReadOnlyDictionary<ReplicationDestination, string> CredentialParameters { get; init; } = new Dictionary<ReplicationDestination, string>();

    /// <summary>
    /// Whose STS endpoint assumes the roles of other accounts: the replicator's own region (set by <see cref="Parse(string?, string?, string?, string?, DestinationScope, string, ICollection{IgnoredEntry})"/>),
    /// the nearest, and the session it returns is valid in every region (docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_region-endpoints.html),
    /// so one session per role serves all of that account's destination regions. STS must be active there for the
    /// role's account, not the replicator's: where it is not (an opt-in region that account has not enabled), the
    /// destination's region is used instead (<see cref="AssumedRoleCredentialsSource"/>). Null: each destination's region.
    /// </summary>
    public string? StsRegion { get; init; }

    // IAM: a role name is 1..64 of [\w+=,.@-] (docs.aws.amazon.com/IAM/latest/APIReference/API_Role.html). The models'
    // \w is ASCII (IAM: "upper and lowercase alphanumeric characters"); .NET's also takes any Unicode letter or digit,
    // which STS would refuse on every call. A role under a path (destination-role.yaml's RolePath) is named as its ARN
    // names it after "role/": the path without its leading slash, then the name, the path as RoleArnPattern takes it.
    // The stack grants role/${DestinationRoleName} (template.yaml, AssumeDestinationRole), so both build one ARN.
    [GeneratedRegex(@"^(?:[\u0021-\u007E]{1,510}/)?[A-Za-z0-9_+=,.@-]{1,64}\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex RoleNamePattern();

    // A role's ARN is role/ then its path without the leading slash, then its name. IAM's path is "/" or "/" then
    // 1 to 510 of U+0021..U+007E then "/", 512 at most (docs.aws.amazon.com/IAM/latest/APIReference/API_Role.html,
    // "Path"), so role//NAME names no role that can exist: refused at init, not by STS on every copy.
    [GeneratedRegex(@"^arn:(aws[a-z-]*):iam::([0-9]{12}):role/(?:[\u0021-\u007E]{1,510}/)?[A-Za-z0-9_+=,.@-]{1,64}\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex RoleArnPattern();

    /// <summary>True when <paramref name="arn"/> is a whole IAM role ARN, with the partition it names.</summary>
    internal static bool IsRoleArn(string arn, out string partition)
    {
        var match = RoleArnPattern().Match(arn);
        partition = match.Success ? match.Groups[1].Value : string.Empty;
        return match.Success;
    }

    // STS AssumeRole ExternalId: 2..1224 of [\w+=,.@:/-] (botocore sts model, externalIdType), \w again ASCII.
    [GeneratedRegex(@"^[A-Za-z0-9_+=,.@:/-]{2,1224}\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex ExternalIdPattern();

    // SSM parameter names: a-zA-Z0-9_.-/, up to 2048 with the path (botocore ssm model, PSParameterName).
    [GeneratedRegex(@"^[a-zA-Z0-9_./-]{1,2048}\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex ParameterNamePattern();

    /// <summary>
    /// What SSM refuses in a name the pattern lets through, so a typo fails at start-up rather than on every copy
    /// (PutParameter's naming constraints, https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html):
    /// a name in a hierarchy is referenced with its leading slash, a hierarchy is at most 15 levels deep, and a name
    /// is not prefixed with aws or ssm (case-insensitive). A hierarchy under /aws/ is AWS's public parameters, readable
    /// with GetParameter, so only a name without a hierarchy is refused for the prefix.
    /// </summary>
    private static string? ParameterNameProblem(string name)
    {
        if (!name.Contains('/', StringComparison.Ordinal))
        {
            return name.StartsWith("aws", StringComparison.OrdinalIgnoreCase) || name.StartsWith("ssm", StringComparison.OrdinalIgnoreCase)
                ? $"SSM parameter name {EcrNames.Quote(name)} starts with aws or ssm, which SSM reserves"
                : null;
        }

        if (!name.StartsWith('/'))
        {
            return $"SSM parameter name {EcrNames.Quote(name)} is in a hierarchy, so it starts with / (ssm:/{name})";
        }

        return name.Count(c => c == '/') > 15 ? $"SSM parameter name {EcrNames.Quote(name)} is more than 15 levels deep, SSM's limit" : null;
    }

    /// <summary>
    /// Reads the four variables and checks them against <paramref name="destinations"/>, every one of them used (the
    /// function's <see cref="DestinationScope.Every"/>), and the replicator's own region <paramref name="homeRegion"/>.
    /// Throws <see cref="SettingException"/> naming the variable; a well-formed entry naming none of
    /// <paramref name="destinations"/> is added to <paramref name="ignored"/> instead (<see cref="IgnoredEntry"/>).
    /// </summary>
    public static DestinationAccess FromEnvironment(IEnvironmentVariables environment, IReadOnlyList<ReplicationDestination> destinations, string homeRegion, ICollection<IgnoredEntry>? ignored = null) =>
        FromEnvironment(environment, DestinationScope.Every(destinations), homeRegion, ignored);

    /// <summary>
    /// Reads the four variables: each in full grammar, and only the entries of <paramref name="scope"/>'s destinations in
    /// use are kept; an entry naming none of its configured destinations is added to <paramref name="ignored"/>.
    /// </summary>
    public static DestinationAccess FromEnvironment(IEnvironmentVariables environment, DestinationScope scope, string homeRegion, ICollection<IgnoredEntry>? ignored = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        string? Get(string name) => environment.GetEnvironmentVariable(name) is { } v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
        return Parse(Get(RoleNameVariable), Get(RoleArnsVariable), Get(ExternalIdVariable), Get(CredentialsVariable), scope, homeRegion, ignored);
    }

    /// <summary>Parses the variables' values (null when unset); see <see cref="FromEnvironment(IEnvironmentVariables, IReadOnlyList{ReplicationDestination}, string, ICollection{IgnoredEntry})"/>.</summary>
    public static DestinationAccess Parse(string? roleName, string? roleArns, string? externalId, string? credentials, IReadOnlyList<ReplicationDestination> destinations, string homeRegion, ICollection<IgnoredEntry>? ignored = null) =>
        Parse(roleName, roleArns, externalId, credentials, DestinationScope.Every(destinations), homeRegion, ignored);

    /// <summary>Parses the variables' values (null when unset); see <see cref="FromEnvironment(IEnvironmentVariables, DestinationScope, string, ICollection{IgnoredEntry})"/>.</summary>
    public static DestinationAccess Parse(string? roleName, string? roleArns, string? externalId, string? credentials, DestinationScope scope, string homeRegion, ICollection<IgnoredEntry>? ignored = null)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentException.ThrowIfNullOrEmpty(homeRegion);
        var homePartition = AwsPartitions.IdOf(homeRegion);

        // IAM writes a path with a leading slash (/service-roles/), the ARN without it (role/service-roles/NAME): a name
        // copied with the slash would give role//service-roles/NAME, which STS would refuse on every copy.
        if (roleName is not null && roleName.StartsWith('/'))
        {
            throw new SettingException(RoleNameVariable, $"starts with /: write a role under a path as its ARN does after :role/, the path without its leading slash ({EcrNames.Quote(roleName.TrimStart('/'))}), not {EcrNames.Quote(roleName)}");
        }

        if (roleName is not null && !RoleNamePattern().IsMatch(roleName))
        {
            throw new SettingException(RoleNameVariable, $"must be an IAM role name, 1 to 64 of letters, digits and +=,.@_-, optionally after its path (PATH/NAME, as in the role's ARN after :role/), not {EcrNames.Quote(roleName)}");
        }

        if (externalId is not null && !ExternalIdPattern().IsMatch(externalId))
        {
            // Not quoted: an external id is not a secret, but it is a shared value best kept out of logs.
            throw new SettingException(ExternalIdVariable, "must be 2 to 1224 of letters, digits and +=,.@:/-_");
        }

        var arns = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in Entries(roleArns))
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            var account = equals < 0 ? entry : entry[..equals];
            var arn = equals < 0 ? string.Empty : entry[(equals + 1)..];
            if (EcrNames.ValidateRegistryId(account) is { } accountProblem)
            {
                throw new SettingException(RoleArnsVariable, $"entry {EcrNames.Quote(entry)} must be ACCOUNT=ROLE_ARN: {accountProblem}");
            }

            var match = RoleArnPattern().Match(arn);
            if (!match.Success)
            {
                throw new SettingException(RoleArnsVariable, $"entry for account {account} must name a role ARN such as arn:aws:iam::{account}:role/{DefaultRoleName}");
            }

            if (match.Groups[2].Value != account)
            {
                throw new SettingException(RoleArnsVariable, $"the role for account {account} belongs to account {match.Groups[2].Value}");
            }

            if (match.Groups[1].Value != homePartition)
            {
                throw new SettingException(RoleArnsVariable, $"the role for account {account} is in partition {match.Groups[1].Value}, the replicator runs in {homePartition}: STS cannot assume a role in another partition, use {CredentialsVariable}");
            }

            // The stack denies DESTINATION_ROLE_NAME's role in each account listed here (template.yaml,
            // AssumeNamedDestinationRole), so that its role may assume only the role used there; an explicit Deny wins
            // over any Allow (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html),
            // so an entry naming that very role would be refused by STS on every copy. Leaving the account out assumes
            // the same role.
            if (string.Equals(arn, $"arn:{homePartition}:iam::{account}:role/{roleName ?? DefaultRoleName}", StringComparison.Ordinal))
            {
                throw new SettingException(RoleArnsVariable, $"the role for account {account} is {arn}, the role {RoleNameVariable} names there already: leave account {account} out of {RoleArnsVariable} (the stack denies {RoleNameVariable}'s role in every account listed here, so this entry could never be assumed)");
            }

            if (!arns.TryAdd(account, arn))
            {
                throw new SettingException(RoleArnsVariable, $"account {account} is listed twice");
            }

            if (!scope.AllowsAccount(account))
            {
                ignored?.Add(new IgnoredEntry(RoleArnsVariable, entry, $"account {account} is not the account of any destination in DESTINATION_REGIONS (nor the CLI's --destination-region)"));
            }
        }

        var parameters = new Dictionary<ReplicationDestination, string>();
        foreach (var entry in Entries(credentials))
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? entry : entry[..equals];
            var reference = equals < 0 ? string.Empty : entry[(equals + 1)..];
            const string Written = "write it as in DESTINATION_REGIONS, REGION or ACCOUNT:REGION";
            ReplicationDestination destination;
            try
            {
                destination = ReplicationDestination.Parse(key);
            }
            catch (FormatException e)
            {
                throw new SettingException(CredentialsVariable, $"destination {EcrNames.Quote(key)}: {e.Message}; {Written}");
            }

            if (!reference.StartsWith(SsmScheme, StringComparison.Ordinal) || !ParameterNamePattern().IsMatch(reference[SsmScheme.Length..]))
            {
                throw new SettingException(CredentialsVariable, $"entry for {key} must be {key}=ssm:/PARAMETER/NAME (an SSM parameter name: letters, digits and _.-/)");
            }

            if (ParameterNameProblem(reference[SsmScheme.Length..]) is { } problem)
            {
                throw new SettingException(CredentialsVariable, $"entry for {key}: {problem}");
            }

            if (!parameters.TryAdd(destination, reference[SsmScheme.Length..]))
            {
                throw new SettingException(CredentialsVariable, $"destination {key} is listed twice");
            }

            if (!scope.Allows(destination))
            {
                // Written as in DESTINATION_REGIONS, or it names another destination than the one meant.
                ignored?.Add(new IgnoredEntry(CredentialsVariable, entry, $"destination {key} is not in DESTINATION_REGIONS (nor the CLI's --destination-region); a destination is written there as REGION or ACCOUNT:REGION"));
            }
        }

        foreach (var destination in scope.InUse)
        {
            var partition = AwsPartitions.IdOf(destination.Region);
            if (partition != homePartition && !parameters.ContainsKey(destination))
            {
                throw new SettingException(
                    CredentialsVariable,
                    $"has no entry for destination {destination}, which is in partition {partition} while the replicator runs in {homePartition} ({homeRegion}): its credentials cannot reach there; add {destination}=ssm:/PARAMETER");
            }
        }

        // Well formed, an entry of a destination this run does not use is not an error, but not kept: one configured
        // but not selected (the CLI's subset), or one not configured at all, reported above (IgnoredEntry).
        return new DestinationAccess
        {
            RoleName = roleName ?? DefaultRoleName,
            RoleArns = arns.Where(a => scope.InUse.Any(d => d.RegistryId == a.Key)).ToDictionary(StringComparer.Ordinal),
            ExternalId = externalId,
            CredentialParameters = parameters.Where(p => scope.InUse.Contains(p.Key)).ToDictionary(),
            StsRegion = homeRegion,
        };
    }

    /// <summary>
    /// The credentials of <paramref name="destination"/> for an image of account <paramref name="sourceAccount"/>
    /// (null: the caller's own account, as the CLI knows it). An SSM entry wins; then a destination without an
    /// account or in the source's account uses the source's credentials, unless a role is named for that account;
    /// any other account is reached through a role there.
    /// </summary>
    public DestinationRoute Route(ReplicationDestination destination, string? sourceAccount)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (CredentialParameters.TryGetValue(destination, out var parameter))
        {
            return new DestinationRoute(DestinationRouteKind.SsmCredentials, ParameterName: parameter);
        }

        if (destination.RegistryId is not { } account)
        {
            return DestinationRoute.Source;
        }

        if (RoleArns.TryGetValue(account, out var arn))
        {
            return new DestinationRoute(DestinationRouteKind.AssumeRole, RoleArn: arn);
        }

        return account == sourceAccount
            ? DestinationRoute.Source
            : new DestinationRoute(DestinationRouteKind.AssumeRole, RoleArn: DefaultRoleArn(account, destination.Region));
    }

    /// <summary>Whether <see cref="Route"/> writes <paramref name="destination"/> with the replicator's own credentials.</summary>
    public bool WritesWithSourceCredentials(ReplicationDestination destination, string? sourceAccount) =>
        Route(destination, sourceAccount).Kind == DestinationRouteKind.SourceCredentials;

    private string DefaultRoleArn(string account, string region) => $"arn:{AwsPartitions.IdOf(region)}:iam::{account}:role/{RoleName}";

    private static IEnumerable<string> Entries(string? value)
    {
        if (value is null)
        {
            yield break;
        }

        foreach (var raw in value.Split(','))
        {
            var entry = raw.Trim();
            if (entry.Length > 0)
            {
                yield return entry;
            }
        }
    }
}
