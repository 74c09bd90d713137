using Replicator.Core.Configuration;
using Replicator.Core.Destinations;
using Replicator.Core.Replication;

namespace Replicator.Core.Tests.Destinations;

public sealed class DestinationAccessTests
{
    private const string Home = "us-east-1";
    private const string Source = "111111111111";

    private static readonly ReplicationDestination West = new("us-west-2");
    private static readonly ReplicationDestination OtherAccount = new("eu-west-1", "222222222222");
    private static readonly ReplicationDestination SameAccount = new("eu-west-1", Source);
    private static readonly ReplicationDestination China = new("cn-north-1", "333333333333");
    private static readonly ReplicationDestination GovCloud = new("us-gov-west-1");

    [Fact]
    public void A_region_of_the_source_account_uses_the_source_credentials()
    {
        var access = Parse(destinations: [West, SameAccount]);

        Assert.Equal(DestinationRouteKind.SourceCredentials, access.Route(West, Source).Kind);
        Assert.Equal(DestinationRouteKind.SourceCredentials, access.Route(SameAccount, Source).Kind);
    }

    /// <summary>
    /// Empty entries (a trailing comma, two commas in a row, as a template's joined list may leave) are skipped in every
    /// list, and the entries around them still count: none is lost, and none is refused as malformed.
    /// </summary>
    [Fact]
    public void Empty_entries_between_commas_are_skipped_and_the_others_kept()
    {
        var other = new ReplicationDestination("us-west-2", "444444444444");
        var access = Parse(roleArns: ",444444444444=arn:aws:iam::444444444444:role/ops/special,, ", credentials: "333333333333:cn-north-1=ssm:/replicator/cn, ,", destinations: [other, China]);

        Assert.Equal("arn:aws:iam::444444444444:role/ops/special", access.Route(other, Source).RoleArn);
        Assert.Equal("/replicator/cn", access.Route(China, Source).ParameterName);
    }

    [Fact]
    public void Another_account_goes_through_the_default_role_there()
    {
        var route = Parse(destinations: [OtherAccount]).Route(OtherAccount, Source);

        Assert.Equal(DestinationRouteKind.AssumeRole, route.Kind);
        Assert.Equal("arn:aws:iam::222222222222:role/ecr-replicator-destination", route.RoleArn);
    }

    [Fact]
    public void The_role_name_and_per_account_arns_are_configurable()
    {
        var other = new ReplicationDestination("us-west-2", "444444444444");
        var access = Parse(roleName: "mirror-writer", roleArns: "444444444444=arn:aws:iam::444444444444:role/ops/special", destinations: [OtherAccount, other]);

        Assert.Equal("arn:aws:iam::222222222222:role/mirror-writer", access.Route(OtherAccount, Source).RoleArn);
        Assert.Equal("arn:aws:iam::444444444444:role/ops/special", access.Route(other, Source).RoleArn);
    }

    [Fact]
    public void A_role_named_for_the_source_account_is_used_there_too()
    {
        var access = Parse(roleArns: $"{Source}=arn:aws:iam::{Source}:role/writer", destinations: [SameAccount]);

        Assert.Equal($"arn:aws:iam::{Source}:role/writer", access.Route(SameAccount, Source).RoleArn);
    }

    [Fact]
    public void Without_a_known_source_account_an_explicit_account_is_another_account()
    {
        Assert.Equal(DestinationRouteKind.AssumeRole, Parse(destinations: [SameAccount]).Route(SameAccount, sourceAccount: null).Kind);
    }

    [Fact]
    public void Another_partition_takes_its_credentials_from_SSM()
    {
        var access = Parse(credentials: "333333333333:cn-north-1=ssm:/replicator/cn,us-gov-west-1=ssm:gov-keys", destinations: [China, GovCloud]);

        Assert.Equal(new DestinationRoute(DestinationRouteKind.SsmCredentials, ParameterName: "/replicator/cn"), access.Route(China, Source));
        Assert.Equal(new DestinationRoute(DestinationRouteKind.SsmCredentials, ParameterName: "gov-keys"), access.Route(GovCloud, Source));
    }

    [Theory]
    [InlineData("/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15")]
    [InlineData("/aws/reference/secretsmanager/replicator-cn")]
    [InlineData("replicator-cn")]
    public void Names_ssm_takes_are_taken_up_to_fifteen_levels_and_under_aws_public_paths(string name)
    {
        var access = Parse(credentials: $"333333333333:cn-north-1=ssm:{name}", destinations: [China]);

        Assert.Equal(name, access.Route(China, Source).ParameterName);
    }

    [Fact]
    public void The_default_role_arn_follows_the_partition_of_the_region()
    {
        var china = new ReplicationDestination("cn-northwest-1", "555555555555");
        var access = Parse(destinations: [china], home: "cn-north-1");

        Assert.Equal("arn:aws-cn:iam::555555555555:role/ecr-replicator-destination", access.Route(china, "666666666666").RoleArn);
    }

    [Theory]
    [InlineData(null, null, null, null, "cn-north-1", "DESTINATION_CREDENTIALS", "partition aws-cn")]
    [InlineData(null, null, null, null, "us-gov-west-1", "DESTINATION_CREDENTIALS", "partition aws-us-gov")] // same DNS suffix as aws, another partition
    [InlineData(null, null, null, "eu-west-3=/x", "us-west-2", "DESTINATION_CREDENTIALS", "ssm:/PARAMETER")]
    [InlineData(null, null, null, "us-west-2=/x", "us-west-2", "DESTINATION_CREDENTIALS", "ssm:/PARAMETER")]
    [InlineData(null, null, null, "us-west-2=ssm:/a b", "us-west-2", "DESTINATION_CREDENTIALS", "ssm:/PARAMETER")]
    [InlineData(null, null, null, "us-west-2=ssm:/a,us-west-2=ssm:/b", "us-west-2", "DESTINATION_CREDENTIALS", "listed twice")]
    [InlineData(null, null, null, "us-west-2", "us-west-2", "DESTINATION_CREDENTIALS", "entry for us-west-2 must be us-west-2=ssm:/PARAMETER/NAME")]
    [InlineData(null, null, null, "us-west-2=ssm:replicator/west", "us-west-2", "DESTINATION_CREDENTIALS", "is in a hierarchy, so it starts with / (ssm:/replicator/west)")]
    [InlineData(null, null, null, "us-west-2=ssm:AWS-keys", "us-west-2", "DESTINATION_CREDENTIALS", "starts with aws or ssm")]
    [InlineData(null, null, null, "us-west-2=ssm:ssm-keys", "us-west-2", "DESTINATION_CREDENTIALS", "starts with aws or ssm")]
    [InlineData(null, null, null, "us-west-2=ssm:/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16", "us-west-2", "DESTINATION_CREDENTIALS", "more than 15 levels deep")]
    [InlineData("bad name!", null, null, null, "us-west-2", "DESTINATION_ROLE_NAME", "IAM role name")]
    [InlineData(null, "222222222222", null, null, "222222222222:us-west-2", "DESTINATION_ROLE_ARNS", "must name a role ARN")]
    [InlineData(null, "222222222222=arn:aws:iam::333333333333:role/x", null, null, "222222222222:us-west-2", "DESTINATION_ROLE_ARNS", "belongs to account 333333333333")]
    [InlineData(null, "222222222222=arn:aws:iam::222222222222:role/a,222222222222=arn:aws:iam::222222222222:role/b", null, null, "222222222222:us-west-2", "DESTINATION_ROLE_ARNS", "account 222222222222 is listed twice")]
    [InlineData(null, "222222222222=arn:aws-cn:iam::222222222222:role/x", null, null, "222222222222:us-west-2", "DESTINATION_ROLE_ARNS", "partition aws-cn")]
    [InlineData(null, "222222222222=arn:aws:iam::333333333333:role/x", null, null, "us-west-2", "DESTINATION_ROLE_ARNS", "belongs to account 333333333333")]
    [InlineData(null, "2222=arn:aws:iam::222222222222:role/x", null, null, "us-west-2", "DESTINATION_ROLE_ARNS", "12 digits")]
    [InlineData(null, null, "x", null, "us-west-2", "DESTINATION_EXTERNAL_ID", "2 to 1224")]
    [InlineData(null, null, "café-42", null, "us-west-2", "DESTINATION_EXTERNAL_ID", "2 to 1224")]
    [InlineData("réplica", null, null, null, "us-west-2", "DESTINATION_ROLE_NAME", "IAM role name")]
    [InlineData(null, "222222222222=arn:aws:iam::222222222222:role/réplica", null, null, "222222222222:us-west-2", "DESTINATION_ROLE_ARNS", "must name a role ARN")]
    [InlineData(null, "222222222222=arn:aws:iam::222222222222:role//writer", null, null, "222222222222:us-west-2", "DESTINATION_ROLE_ARNS", "must name a role ARN")] // IAM has no empty path between two slashes
    public void Bad_settings_name_the_variable(string? roleName, string? roleArns, string? externalId, string? credentials, string destination, string variable, string expected)
    {
        var parsed = destination.Split(':') is [var account, var region] ? new ReplicationDestination(region, account) : new ReplicationDestination(destination);

        var error = Assert.Throws<SettingException>(() => DestinationAccess.Parse(roleName, roleArns, externalId, credentials, [parsed], Home));

        Assert.Equal(variable, error.Setting);
        Assert.Contains(expected, error.Problem, StringComparison.Ordinal);
    }

    /// <summary>
    /// The stack denies DESTINATION_ROLE_NAME's role in every account of DESTINATION_ROLE_ARNS (so that its role may
    /// assume exactly the roles used), so an entry naming that very role could never be assumed: refused at init.
    /// </summary>
    [Theory]
    [InlineData(null, "222222222222=arn:aws:iam::222222222222:role/ecr-replicator-destination")]
    [InlineData("writer", "222222222222=arn:aws:iam::222222222222:role/writer")]
    [InlineData("writer", "444444444444=arn:aws:iam::444444444444:role/ops/special,222222222222=arn:aws:iam::222222222222:role/writer")]
    [InlineData("service-roles/writer", "222222222222=arn:aws:iam::222222222222:role/service-roles/writer")] // the default role under a path
    public void A_role_arn_naming_the_default_role_of_its_account_is_refused(string? roleName, string roleArns)
    {
        var destinations = new[] { OtherAccount, new ReplicationDestination("us-west-2", "444444444444") };

        var error = Assert.Throws<SettingException>(() => DestinationAccess.Parse(roleName, roleArns, null, null, destinations, Home));

        Assert.Equal("DESTINATION_ROLE_ARNS", error.Setting);
        Assert.StartsWith($"the role for account 222222222222 is arn:aws:iam::222222222222:role/{roleName ?? DestinationAccess.DefaultRoleName}, the role DESTINATION_ROLE_NAME names there already: leave account 222222222222 out of DESTINATION_ROLE_ARNS", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "222222222222=arn:aws:iam::222222222222:role/writer")] // another name
    [InlineData("writer", "222222222222=arn:aws:iam::222222222222:role/ops/writer")] // the same name on a path: another ARN
    [InlineData("writer", "222222222222=arn:aws:iam::222222222222:role/ecr-replicator-destination")] // the default name, not DESTINATION_ROLE_NAME
    [InlineData("service-roles/writer", "222222222222=arn:aws:iam::222222222222:role/writer")] // the same name at the root path: another ARN
    public void A_role_arn_other_than_the_default_role_of_its_account_is_taken(string? roleName, string roleArns)
    {
        var access = Parse(roleName: roleName, roleArns: roleArns, destinations: [OtherAccount]);

        Assert.Equal(roleArns[(roleArns.IndexOf('=', StringComparison.Ordinal) + 1)..], access.Route(OtherAccount, Source).RoleArn);
    }

    /// <summary>
    /// The whole-ARN check IsRoleArn makes (also of the RoleArn an SSM credentials parameter holds, whose account
    /// nothing else checks): a path takes every character IAM's does, U+0021 ('!') to U+007E ('~'); the account is
    /// exactly 12 digits, the name at most 64 characters, and nothing follows it, not even a line break.
    /// </summary>
    [Theory]
    [InlineData("arn:aws:iam::222222222222:role/team!/writer", true)]
    [InlineData("arn:aws:iam::222222222222:role/~team/writer", true)]
    [InlineData("arn:aws-us-gov:iam::222222222222:role/writer", true)]
    [InlineData("arn:aws:iam::22222222222:role/writer", false)]
    [InlineData("arn:aws:iam::2222222222222:role/writer", false)]
    [InlineData("arn:aws:iam::222222222222:role/writer\n", false)]
    [InlineData("arn:aws:iam::222222222222:role/team /writer", false)]
    public void A_role_arn_is_checked_whole_by_iams_character_sets(string arn, bool isRoleArn)
    {
        Assert.Equal(isRoleArn, DestinationAccess.IsRoleArn(arn, out _));
    }

    [Fact]
    public void A_role_name_in_an_arn_is_at_most_64_characters()
    {
        Assert.True(DestinationAccess.IsRoleArn($"arn:aws:iam::222222222222:role/ops/{new string('r', 64)}", out _));
        Assert.False(DestinationAccess.IsRoleArn($"arn:aws:iam::222222222222:role/ops/{new string('r', 65)}", out _));
        Assert.False(DestinationAccess.IsRoleArn($"arn:aws:iam::222222222222:role/{new string('r', 65)}", out _));
    }

    /// <summary>
    /// IAM's role path is at most 512 characters, its slashes included (docs.aws.amazon.com/IAM/latest/APIReference/API_Role.html,
    /// "Path"): the ARN of a role on the longest path is taken, one character more names no role and is refused at init.
    /// </summary>
    [Fact]
    public void A_role_path_is_taken_up_to_iams_512_characters()
    {
        var longest = "arn:aws:iam::222222222222:role/" + new string('p', 510) + "/writer";
        var tooLong = "arn:aws:iam::222222222222:role/" + new string('p', 511) + "/writer";

        Assert.Equal(longest, Parse(roleArns: "222222222222=" + longest, destinations: [OtherAccount]).Route(OtherAccount, Source).RoleArn);
        var error = Assert.Throws<SettingException>(() => DestinationAccess.Parse(null, "222222222222=" + tooLong, null, null, [OtherAccount], Home));
        Assert.Equal("DESTINATION_ROLE_ARNS", error.Setting);
    }

    /// <summary>
    /// The longest an IAM role name may be, 64 (docs.aws.amazon.com/IAM/latest/APIReference/API_Role.html), and an
    /// external id, 1224 (botocore's STS model, externalIdType), are taken; one character more is refused at init
    /// rather than by STS on every copy.
    /// </summary>
    [Fact]
    public void The_longest_role_name_and_external_id_are_taken_and_one_character_more_is_refused()
    {
        var access = Parse(roleName: new string('r', 64), externalId: new string('e', 1224), destinations: [OtherAccount]);

        Assert.Equal($"arn:aws:iam::222222222222:role/{new string('r', 64)}", access.Route(OtherAccount, Source).RoleArn);
        Assert.Equal(new string('e', 1224), access.ExternalId);
        Assert.Equal("DESTINATION_ROLE_NAME", Assert.Throws<SettingException>(() => Parse(roleName: new string('r', 65), destinations: [OtherAccount])).Setting);
        Assert.Equal("DESTINATION_EXTERNAL_ID", Assert.Throws<SettingException>(() => Parse(externalId: new string('e', 1225), destinations: [OtherAccount])).Setting);
    }

    /// <summary>
    /// A role under a path (destination-role.yaml's RolePath) is named as its ARN names it after ":role/": the path
    /// without its leading slash, then the name. The stack grants sts:AssumeRole on role/${DestinationRoleName}
    /// (template.yaml, AssumeDestinationRole), so this is the ARN it grants (Stack.Tests, RolePathTests).
    /// </summary>
    [Theory]
    [InlineData("service-roles/ecr-replicator-destination", "arn:aws:iam::222222222222:role/service-roles/ecr-replicator-destination")]
    [InlineData("org/platform/writer", "arn:aws:iam::222222222222:role/org/platform/writer")]
    [InlineData("team!~/writer", "arn:aws:iam::222222222222:role/team!~/writer")] // a path takes U+0021..U+007E
    public void A_role_name_after_its_path_is_assumed_at_the_arn_with_that_path(string roleName, string arn)
    {
        var access = Parse(roleName: roleName, destinations: [OtherAccount]);

        Assert.Equal(roleName, access.RoleName);
        Assert.Equal(arn, access.Route(OtherAccount, Source).RoleArn);
        Assert.True(DestinationAccess.IsRoleArn(arn, out _));
    }

    /// <summary>
    /// IAM writes the path with a leading slash (/service-roles/), the ARN without it: a name copied with it would be
    /// assumed at role//service-roles/NAME, which names no role. Refused at init, naming the value to write instead.
    /// </summary>
    [Fact]
    public void A_role_name_whose_path_keeps_its_leading_slash_is_refused_naming_the_value_to_write()
    {
        var error = Assert.Throws<SettingException>(() => Parse(roleName: "/service-roles/writer", destinations: [OtherAccount]));

        Assert.Equal("DESTINATION_ROLE_NAME", error.Setting);
        Assert.Equal("starts with /: write a role under a path as its ARN does after :role/, the path without its leading slash ('service-roles/writer'), not '/service-roles/writer'", error.Problem);
    }

    [Theory]
    [InlineData("service-roles/")] // a path, no name
    [InlineData("team /writer")] // a space is in no path
    [InlineData("team/wri/ter!")] // '!' is in a path, not in a name
    [InlineData("service-roles/réplica")]
    public void A_role_name_after_a_path_is_still_an_iam_role_name(string roleName)
    {
        var error = Assert.Throws<SettingException>(() => Parse(roleName: roleName, destinations: [OtherAccount]));

        Assert.Equal("DESTINATION_ROLE_NAME", error.Setting);
        Assert.Contains("IAM role name", error.Problem, StringComparison.Ordinal);
        // The value was meant as PATH/NAME: the message says that form is taken, and how the path is written in it.
        Assert.Contains("optionally after its path (PATH/NAME, as in the role's ARN after :role/)", error.Problem, StringComparison.Ordinal);
    }

    /// <summary>IAM's path is at most 512 characters with both slashes, so 511 before the name here (no leading slash).</summary>
    [Fact]
    public void A_role_name_takes_a_path_up_to_iams_512_characters()
    {
        var longest = new string('p', 510) + "/" + new string('r', 64);

        Assert.Equal($"arn:aws:iam::222222222222:role/{longest}", Parse(roleName: longest, destinations: [OtherAccount]).Route(OtherAccount, Source).RoleArn);
        Assert.Equal("DESTINATION_ROLE_NAME", Assert.Throws<SettingException>(() => Parse(roleName: "p" + longest, destinations: [OtherAccount])).Setting);
    }

    [Fact]
    public void The_external_id_is_never_quoted_in_an_error()
    {
        var error = Assert.Throws<SettingException>(() => DestinationAccess.Parse(null, null, "shared secret with spaces", null, [West], Home));

        Assert.DoesNotContain("shared secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_scope_keeps_the_entries_of_its_destinations_in_use_and_leaves_out_the_others()
    {
        // The CLI with a function's environment exported, one of its destinations selected.
        var access = DestinationAccess.Parse(
            null,
            $"222222222222=arn:aws:iam::222222222222:role/writer,{Source}=arn:aws:iam::{Source}:role/own",
            null,
            "333333333333:cn-north-1=ssm:/replicator/cn,us-west-2=ssm:/west",
            DestinationScope.Selected([West], "us-west-2,222222222222:eu-west-1,333333333333:cn-north-1," + Source + ":eu-west-1"),
            Home);

        Assert.Equal(["us-west-2"], access.CredentialParameters.Keys.Select(d => d.ToString()));
        Assert.Empty(access.RoleArns);
    }

    [Fact]
    public void Without_configured_destinations_an_entry_is_checked_for_grammar_only()
    {
        var none = DestinationAccess.Parse(null, "444444444444=arn:aws:iam::444444444444:role/x", null, "ap-south-1=ssm:/x", DestinationScope.None, Home);

        Assert.Empty(none.CredentialParameters);
        Assert.Empty(none.RoleArns);
        var error = Assert.Throws<SettingException>(() => DestinationAccess.Parse(null, null, null, "mars=ssm:/x", DestinationScope.None, Home));
        Assert.Equal("DESTINATION_CREDENTIALS", error.Setting);
        Assert.Contains("'mars'", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_destination_of_another_partition_is_required_only_when_in_use()
    {
        Assert.Empty(DestinationAccess.Parse(null, null, null, null, DestinationScope.Selected([West], China + "," + West), Home).CredentialParameters);
        Assert.Throws<SettingException>(() => DestinationAccess.Parse(null, null, null, null, DestinationScope.Selected([China], null), Home));
    }

    /// <summary>
    /// What a destination removed from DESTINATION_REGIONS leaves behind (or a mistyped one): ignored and reported, for
    /// the function's WARN at init and the CLI's warning, never refused, which stopped every destination.
    /// </summary>
    [Theory]
    [InlineData(null, "ap-south-1=ssm:/x", "DESTINATION_CREDENTIALS", "ap-south-1=ssm:/x", "destination ap-south-1 is not in DESTINATION_REGIONS")]
    [InlineData(null, "333333333333:cn-north-1=ssm:/replicator/cn", "DESTINATION_CREDENTIALS", "333333333333:cn-north-1=ssm:/replicator/cn", "destination 333333333333:cn-north-1 is not in DESTINATION_REGIONS")]
    [InlineData("444444444444=arn:aws:iam::444444444444:role/x", null, "DESTINATION_ROLE_ARNS", "444444444444=arn:aws:iam::444444444444:role/x", "account 444444444444 is not the account of any destination in DESTINATION_REGIONS")]
    public void With_configured_destinations_an_entry_naming_none_of_them_is_ignored_and_reported(string? roleArns, string? credentials, string variable, string entry, string reason)
    {
        var selected = new List<IgnoredEntry>();
        var every = new List<IgnoredEntry>();

        var cli = DestinationAccess.Parse(null, roleArns, null, credentials, DestinationScope.Selected([West], "us-west-2,eu-west-1"), Home, selected);
        var function = DestinationAccess.Parse(null, roleArns, null, credentials, [West, OtherAccount], Home, every);

        foreach (var (access, ignored) in new[] { (cli, selected), (function, every) })
        {
            Assert.Empty(access.CredentialParameters);
            Assert.Empty(access.RoleArns);
            var reported = Assert.Single(ignored);
            Assert.Equal((variable, entry), (reported.Setting, reported.Entry));
            Assert.StartsWith(reason, reported.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Entries_of_configured_destinations_are_not_reported()
    {
        var ignored = new List<IgnoredEntry>();

        // Configured and in use, or configured and not selected (the CLI's subset): neither is reported.
        _ = DestinationAccess.Parse(null, "222222222222=arn:aws:iam::222222222222:role/writer", null, "333333333333:cn-north-1=ssm:/cn", [OtherAccount, China], Home, ignored);
        _ = DestinationAccess.Parse(null, "222222222222=arn:aws:iam::222222222222:role/writer", null, "333333333333:cn-north-1=ssm:/cn", DestinationScope.Selected([West], $"{West},{OtherAccount},{China}"), Home, ignored);
        _ = DestinationAccess.Parse(null, "222222222222=arn:aws:iam::222222222222:role/writer", null, "333333333333:cn-north-1=ssm:/cn", DestinationScope.None, Home, ignored);

        Assert.Empty(ignored);
    }

    private static DestinationAccess Parse(IReadOnlyList<ReplicationDestination> destinations, string? roleName = null, string? roleArns = null, string? externalId = null, string? credentials = null, string home = Home) =>
        DestinationAccess.Parse(roleName, roleArns, externalId, credentials, destinations, home);
}
