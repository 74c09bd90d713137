using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Replicator.Core.Selection;
using Stack.Tests.Support;

namespace Stack.Tests;

public sealed class ParameterTests
{
    private static JsonNode Parameter(string name) => StackTemplate.Raw["Parameters"]![name] ?? throw new KeyNotFoundException(name);

    private static bool Admits(string name, string value) =>
        Regex.IsMatch(value, (string)Parameter(name)["AllowedPattern"]!, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>
    /// The grant splits each DestinationRoleArns entry at every '=' (Fn::Split), so a role name with one (IAM allows it)
    /// would be granted cut short while the function assumes the whole name: refused before any change.
    /// </summary>
    [Fact]
    public void A_destination_role_whose_path_or_name_holds_an_equals_sign_is_refused()
    {
        Assert.True(Admits("DestinationRoleArns", "222222222222=arn:aws:iam::222222222222:role/platform/ecr-writer"));
        Assert.False(Admits("DestinationRoleArns", "222222222222=arn:aws:iam::222222222222:role/ecr=writer"));
        Assert.False(Admits("DestinationRoleArns", "222222222222=arn:aws:iam::222222222222:role/a=b/writer"));
    }

    [Theory]
    [InlineData("role/writer", true)]
    [InlineData("role/platform/ecr-writer", true)]
    [InlineData("role/platform/", false)] // a path, no role: the function refuses it at init
    [InlineData("role/", false)]
    [InlineData("role//", false)]
    [InlineData("role//writer", false)] // an empty path between the slashes: IAM has no such path, so no such role
    [InlineData("role/a//writer", true)] // "/a//" is a path IAM allows (U+0021..U+007E between the outer slashes)
    public void A_destination_role_arn_names_a_role_as_the_function_requires(string resource, bool admitted)
    {
        var arn = "arn:aws:iam::222222222222:" + resource;

        Assert.Equal(admitted, Admits("DestinationRoleArns", "222222222222=" + arn));
        Assert.Equal(admitted, FunctionAccepts("DESTINATION_ROLE_ARNS", "222222222222=" + arn, "us-west-2,222222222222:us-west-2"));
    }

    [Fact]
    public void Every_parameter_is_described()
    {
        Assert.NotEmpty(StackTemplate.Raw["Parameters"]!.AsObject());
        Assert.All(StackTemplate.Raw["Parameters"]!.AsObject(), p => Assert.False(string.IsNullOrWhiteSpace((string?)p.Value!["Description"]), p.Key));
    }

    [Theory]
    [InlineData("*", true)]
    [InlineData("team/*,base/nginx", true)]
    [InlineData("*,!sandbox/*,!tmp/*", true)]
    [InlineData("!sandbox/*,team-*", true)]
    [InlineData("a.b_c--d/e__f", true)] // the ECR model admits '__' and runs of '-'
    [InlineData("org/team/service.v2_x", true)]
    [InlineData("ab", true)]
    [InlineData("a", false)]
    [InlineData("a___b", false)]
    [InlineData("a..b", false)]
    [InlineData("Team/app", false)]
    [InlineData("team//app", false)]
    [InlineData("/app*", false)]
    [InlineData("app/", false)]
    [InlineData("team/*/app", false)]
    [InlineData("**", false)]
    [InlineData("!sandbox/*", false)]
    [InlineData("!a,!b", false)]
    [InlineData("team/*,", false)]
    [InlineData(",team/*", false)]
    [InlineData("team/*,,x/*", false)]
    [InlineData("*,!", false)]
    [InlineData("", false)]
    [InlineData("*,!*", false)] // an include that an exclusion covers selects nothing
    [InlineData("team/*,!*", false)]
    [InlineData("team/*,!team/*", false)]
    [InlineData("ab,!ab", false)]
    [InlineData("team/a,!team/*", false)]
    [InlineData("!team/*,team/a", false)]
    [InlineData("team/ab*,!team/a*", false)]
    [InlineData("*,base/nginx,!sandbox/*,!base/*", false)]
    [InlineData("team/*,!team/a", true)]
    [InlineData("team/a*,!team/a", true)]
    [InlineData("team/a*,!team/ab*", true)]
    [InlineData("team/ab,!team/a", true)]
    public void RepositoryFilter_admits_exactly_the_function_grammar(string value, bool admitted)
    {
        Assert.Equal("String", (string)Parameter("RepositoryFilter")["Type"]!);
        Assert.Null(Parameter("RepositoryFilter")["Default"]);
        Assert.Equal(admitted, Admits("RepositoryFilter", value));
        Assert.Equal(admitted, RepositoryFilter.TryParse(value, out _, out _));
    }

    /// <summary>
    /// ECR's names are 2 to 256 characters (botocore model, RepositoryName): an exact name or exclusion past that, or a
    /// prefix longer than any name, is refused by both, so the stack does not deploy a filter the function refuses at
    /// every init. The parameter's MaxLength (1,024) admits one such pattern.
    /// </summary>
    [Theory]
    [InlineData(256, "", true)]
    [InlineData(257, "", false)]
    [InlineData(256, "*", true)]
    [InlineData(257, "*", false)]
    public void RepositoryFilter_refuses_a_pattern_longer_than_a_repository_name_as_the_function_does(int length, string star, bool admitted)
    {
        var body = "a" + new string('b', length - 1) + star;

        foreach (var value in new[] { body, "team/*," + body, "*,!" + body })
        {
            Assert.Equal(admitted, Admits("RepositoryFilter", value));
            Assert.Equal(admitted, RepositoryFilter.TryParse(value, out _, out _));
        }
    }

    /// <summary>
    /// Every value of up to seven characters from the alphabet that matters ('a', 'b', '*', '!', ','): the template
    /// admits exactly what the function's parser accepts, including its refusal of an include that one exclusion
    /// covers (<c>*,!*</c>, <c>ab,!ab</c>, <c>ab,!a*</c>, in either order), so such a filter fails the deploy instead of
    /// every init. 97,656 values.
    /// </summary>
    [Fact]
    public void RepositoryFilter_admits_exactly_what_the_function_accepts_over_every_short_value()
    {
        const string alphabet = "ab*!,";
        var values = new List<string> { string.Empty };
        for (var length = 1; length <= 7; length++)
        {
            values.AddRange(values.Where(v => v.Length == length - 1).SelectMany(v => alphabet.Select(c => v + c)).ToList());
        }

        var disagreements = values
            .Where(v => v.Length > 0 && Admits("RepositoryFilter", v) != RepositoryFilter.TryParse(v, out _, out _))
            .Select(v => $"'{v}': template {(Admits("RepositoryFilter", v) ? "admits" : "refuses")}")
            .ToList();

        Assert.Equal(97656, values.Count);
        Assert.Empty(disagreements);
    }

    /// <summary>
    /// Every value of up to six characters from the separators of a name ('a', '/', '-', '.', '_', '*'): the template
    /// admits exactly the prefixes and names the function accepts, so a prefix no repository name starts with
    /// ("a//*", "a-/*", "a..*") fails the deploy as it fails the function's init, rather than selecting nothing.
    /// 55,987 values.
    /// </summary>
    [Fact]
    public void RepositoryFilter_admits_exactly_the_prefixes_the_function_accepts_over_every_short_value()
    {
        const string alphabet = "a/-._*";
        var values = new List<string> { string.Empty };
        for (var length = 1; length <= 6; length++)
        {
            values.AddRange(values.Where(v => v.Length == length - 1).SelectMany(v => alphabet.Select(c => v + c)).ToList());
        }

        var disagreements = values
            .Where(v => v.Length > 0 && Admits("RepositoryFilter", v) != RepositoryFilter.TryParse(v, out _, out _))
            .Select(v => $"'{v}': template {(Admits("RepositoryFilter", v) ? "admits" : "refuses")}")
            .ToList();

        Assert.Equal(55987, values.Count);
        Assert.Empty(disagreements);
        Assert.False(Admits("RepositoryFilter", "team//*"));
        Assert.False(Admits("RepositoryFilter", "team-/*"));
        Assert.True(Admits("RepositoryFilter", "team-*,team__*,team/*"));
    }

    [Fact]
    public void RepositoryFilter_takes_at_most_twenty_patterns_without_spaces()
    {
        var twenty = string.Join(',', Enumerable.Range(0, 20).Select(i => $"team{i:00}/*"));

        Assert.True(Admits("RepositoryFilter", twenty));
        Assert.False(Admits("RepositoryFilter", twenty + ",x/*"));
        // The function trims spaces, CloudFormation's Fn::Split does not: the template refuses them.
        Assert.False(Admits("RepositoryFilter", "team/*, base/nginx"));
        Assert.Equal(1024, (int)Parameter("RepositoryFilter")["MaxLength"]!);
        Assert.Null(StackTemplate.Raw["Parameters"]!["RepositoryNames"]);
    }

    /// <summary>
    /// Every value of up to five characters from the alphabet that matters ('a', '/', '-', '=', ','): the template
    /// admits exactly what the function's parser accepts, so a mapping the function would refuse at init (every
    /// invocation failing until a redeploy) fails the deploy instead. 3,906 values.
    /// </summary>
    [Fact]
    public void RepositoryMapping_admits_exactly_what_the_function_accepts_over_every_short_value()
    {
        const string alphabet = "a/-=,";
        var values = new List<string> { string.Empty };
        for (var length = 1; length <= 5; length++)
        {
            values.AddRange(values.Where(v => v.Length == length - 1).SelectMany(v => alphabet.Select(c => v + c)).ToList());
        }

        var disagreements = values
            .Where(v => v.Length > 0 && Admits("RepositoryMapping", v) != Accepts(v))
            .Select(v => $"'{v}': template {(Admits("RepositoryMapping", v) ? "admits" : "refuses")}")
            .ToList();

        Assert.Equal(3906, values.Count);
        Assert.Empty(disagreements);
    }

    [Theory]
    [InlineData("/team/=mirror/", false)] // a prefix starts with a letter or digit
    [InlineData("team//=mirror/", false)]
    [InlineData("team/=mirror//", false)]
    [InlineData("a=-b", false)]
    [InlineData("team/=mirror-/", false)] // no name starts with it: every mapped name would be refused
    [InlineData("team-/=mirror/", false)] // no name starts with it: the rule would map nothing
    [InlineData("team/=mirror__", true)]
    [InlineData("a=b,a=c", false)] // a source prefix listed twice
    [InlineData("=a,=b", false)]
    [InlineData("x/=y/,a=b,c=d,a=e", false)]
    [InlineData("a/=b,a=c", true)]
    [InlineData("team/=", true)]
    [InlineData("team.v2/=mirror/team.v2/", true)]
    public void RepositoryMapping_refuses_what_the_function_refuses_and_takes_what_it_takes(string value, bool admitted)
    {
        Assert.Equal(admitted, Admits("RepositoryMapping", value));
        Assert.Equal(admitted, Accepts(value));
    }

    [Fact]
    public void RepositoryMapping_prefixes_are_at_most_the_longest_repository_name()
    {
        var longest = new string('b', Replicator.Core.Validation.EcrNames.MaxRepositoryNameLength);

        Assert.True(Admits("RepositoryMapping", $"a={longest}") && Accepts($"a={longest}"));
        Assert.False(Admits("RepositoryMapping", $"a={longest}b") || Accepts($"a={longest}b"));
        Assert.False(Admits("RepositoryMapping", $"{longest}b=a") || Accepts($"{longest}b=a"));
    }

    private static bool Accepts(string mapping) =>
        Record.Exception(() => Replicator.Core.Replication.RepositoryMapping.Parse(mapping)) is null;

    [Fact]
    public void RepositoryMapping_takes_at_most_ten_rules_the_function_accepts()
    {
        // The write policy unrolls the rules to 10 entries (DestinationWritePolicy): an eleventh would go ungranted.
        var ten = string.Join(',', Enumerable.Range(0, 10).Select(i => $"team{i}/=mirror/team{i}/"));

        Assert.Equal("String", (string)Parameter("RepositoryMapping")["Type"]!);
        Assert.True(Admits("RepositoryMapping", ""));
        Assert.True(Admits("RepositoryMapping", "=backup/"));
        Assert.True(Admits("RepositoryMapping", "team/=mirror/team/,=backup/"));
        Assert.True(Admits("RepositoryMapping", ten));
        Assert.False(Admits("RepositoryMapping", ten + ",x/=y/"));
        Assert.False(Admits("RepositoryMapping", "team/=mirror/team/, =backup/"));
        Assert.False(Admits("RepositoryMapping", "team/"));
        Assert.False(Admits("RepositoryMapping", "a=b=c"));
        Assert.True(Admits("RepositoryMapping", "=" + new string('b', 64)));
        Assert.False(Admits("RepositoryMapping", "=" + new string('b', 65)));
        Assert.True(Admits("RepositoryMapping", "a=" + new string('b', 200)));
        Assert.True(ten.Length <= (int)Parameter("RepositoryMapping")["MaxLength"]!);
        Assert.Equal(10, Replicator.Core.Replication.RepositoryMapping.Parse(ten).Rules.Count);
    }

    [Theory]
    [InlineData("us-west-2", true)]
    [InlineData("us-gov-west-1", true)]
    [InlineData("ap-southeast-2", true)]
    [InlineData("US-WEST-2", false)]
    [InlineData("123456789012:us-west-2", false)]
    [InlineData("us-west", false)]
    [InlineData("us-west-100", false)] // the function's region grammar (EcrNames): at most two digits
    [InlineData("us-far-north-west-east-1", false)] // and at most three name parts after the first
    [InlineData("", true)] // other-account or other-partition destinations only (a template rule wants one of the three)
    public void DestinationRegions_admits_region_codes_of_this_account(string value, bool admitted)
    {
        Assert.Equal("CommaDelimitedList", (string)Parameter("DestinationRegions")["Type"]!);
        Assert.Equal("", (string)Parameter("DestinationRegions")["Default"]!);
        Assert.Equal(admitted, Admits("DestinationRegions", value));
    }

    /// <summary>
    /// Every region botocore's endpoint rules know (the endpoint table the ECR client is tested against, regenerated
    /// from botocore) is admitted by each destination parameter: a stack in eusc-de-east-1 or an ISO region names
    /// its own partition's regions in DestinationRegions, and the cross-account and cross-partition forms take the
    /// same codes.
    /// </summary>
    [Fact]
    public void Every_region_botocore_knows_is_admitted_by_each_destination_parameter()
    {
        var regions = File.ReadLines(RepositoryRoot.File("tests", "Replicator.Core.Tests", "Fixtures", "ecr-endpoints.tsv"))
            .Where(line => !line.StartsWith('#') && !line.StartsWith("region\t", StringComparison.Ordinal))
            .Select(line => line.Split('\t')[0])
            .Distinct(StringComparer.Ordinal)
            .ToList();
        Assert.Contains("eusc-de-east-1", regions);
        Assert.Contains("us-isof-south-1", regions);

        var refused = regions.Where(region => !Admits("DestinationRegions", region)
                || !Admits("OtherAccountDestinations", "123456789012:" + region)
                || !Admits("OtherPartitionDestinations", region)
                || !Admits("OtherPartitionDestinations", "123456789012:" + region))
            .ToList();
        Assert.Empty(refused);
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

    [Theory]
    [InlineData("ReplicationQueue")]
    [InlineData("IntakeQueue")]
    public void The_queue_age_alarm_threshold_stays_below_each_watched_queues_retention(string queue)
    {
        // ApproximateAgeOfOldestMessage never exceeds the retention period: a message expires first, so a threshold
        // at or above it makes an alarm that cannot fire while messages are being lost.
        var retention = (int)StackTemplate.Raw["Resources"]![queue]!["Properties"]!["MessageRetentionPeriod"]!;
        Assert.True((int)Parameter("OldestMessageAlarmSeconds")["MaxValue"]! < retention, $"{queue} keeps messages {retention} s");
    }

    /// <summary>Today's behaviour by default: a repository the function creates in its own account gets the source's lifecycle policy.</summary>
    [Fact]
    public void CopyLifecyclePolicies_is_a_boolean_that_copies_by_default()
    {
        Assert.Equal(["true", "false"], Samples.Strings(Parameter("CopyLifecyclePolicies")["AllowedValues"]));
        Assert.Equal("true", (string)Parameter("CopyLifecyclePolicies")["Default"]!);
        Assert.Equal("String", (string)Parameter("CopyLifecyclePolicies")["Type"]!);
    }

    [Fact]
    public void MaxConcurrency_follows_the_sqs_scaling_config_range_and_ReplicateDeletes_is_a_boolean()
    {
        Assert.True(Admits("MaxConcurrency", "2"));
        Assert.True(Admits("MaxConcurrency", "1000"));
        Assert.False(Admits("MaxConcurrency", "1"));
        Assert.False(Admits("MaxConcurrency", "1001"));
        Assert.Equal(["true", "false"], Samples.Strings(Parameter("ReplicateDeletes")["AllowedValues"]));
        Assert.Equal("false", (string)Parameter("ReplicateDeletes")["Default"]!);
        Assert.Equal("", (string)Parameter("TagFilter")["Default"]!);
    }

    /// <summary>
    /// The function's METRICS_NAMESPACE cases: what it refuses at init the parameter refuses, so the stack is refused
    /// before a function that cannot start is deployed. CloudWatch reserves the AWS/ prefix for AWS services.
    /// </summary>
    [Theory]
    [InlineData("EcrReplicator", true)]
    [InlineData("Team/Replicator", true)]
    [InlineData("a.b_c-d/e#f:g", true)]
    [InlineData("AWS", true)]
    [InlineData("AWSX/Replicator", true)]
    [InlineData("MyAWS/Replicator", true)]
    [InlineData("AWS/ECR", false)]
    [InlineData("aws/ecr", false)]
    [InlineData("Aws/Replicator", false)]
    [InlineData(":replicator", false)] // botocore's cloudwatch model, Namespace: pattern "[^:].*"
    [InlineData("bad$name", false)]
    [InlineData("team\\replicator", false)]
    public void MetricsNamespace_admits_what_the_function_accepts(string value, bool valid)
    {
        Assert.Equal(valid, FunctionAccepts("METRICS_NAMESPACE", value));
        Assert.Equal(valid, Admits("MetricsNamespace", value));
    }

    /// <summary>
    /// The function trims its variables and would write under "EcrReplicator" while the alarms and the dashboard watch
    /// the parameter as given: a space at either end is refused, so no alarm watches a namespace nothing writes.
    /// </summary>
    [Theory]
    [InlineData(" EcrReplicator")]
    [InlineData("EcrReplicator ")]
    [InlineData(" ")]
    public void MetricsNamespace_with_a_space_at_either_end_is_refused(string value)
    {
        Assert.False(Admits("MetricsNamespace", value));
        Assert.True(Admits("MetricsNamespace", value.Trim() is { Length: > 0 } trimmed ? trimmed : "EcrReplicator"));
    }

    [Fact]
    public void MetricsNamespace_length_and_a_space_as_the_function_takes_them()
    {
        foreach (var (value, valid) in new[] { (new string('n', 255), true), (new string('n', 256), false), ("Team Replicator", true) })
        {
            Assert.Equal(valid, FunctionAccepts("METRICS_NAMESPACE", value));
            Assert.Equal(valid, Admits("MetricsNamespace", value));
        }

        Assert.True(Admits("MetricsNamespace", (string)Parameter("MetricsNamespace")["Default"]!));
    }

    /// <summary>
    /// DestinationKmsKeys takes the function's two entry forms, REGION=KEY and ACCOUNT:REGION=KEY (that destination's
    /// own key, so two accounts in one region need not share one), for the destinations the stack gives it.
    /// </summary>
    [Theory]
    [InlineData("", true)]
    [InlineData("us-west-2=alias/replicas", true)]
    [InlineData("us-west-2=alias/replicas,222222222222:us-west-2=arn:aws:kms:us-west-2:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab", true)]
    [InlineData("222222222222:us-west-2=arn:aws:kms:us-west-2:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab", true)]
    [InlineData("2222:us-west-2=alias/replicas", false)]
    [InlineData("us-west-2", false)]
    [InlineData("us-west-2=1234abcd-12ab-34cd-56ef-1234567890ab,222222222222:us-west-2=mrk-0123456789abcdef0123456789abcdef", true)]
    [InlineData("us-west-2=arn:aws:kms:us-west-2:222222222222:alias/replicas", true)]
    [InlineData("us-west-2=replicas", false)]
    [InlineData("us-west-2=alias/replicas,222222222222:us-west-2=key/1234abcd-12ab-34cd-56ef-1234567890ab", false)]
    [InlineData("us-west-2=arn:aws:kms:us-west-2:222222222222:key/backup", false)]
    [InlineData("us-west-2=alias/replicas,", false)]
    public void DestinationKmsKeys_admits_region_and_account_region_entries(string value, bool admitted)
    {
        Assert.Equal(admitted, Admits("DestinationKmsKeys", value));
        Assert.Equal(admitted, FunctionAccepts("DESTINATION_KMS_KEYS", value, "us-west-2,222222222222:us-west-2"));
    }

    /// <summary>
    /// A key ARN of another region or partition than its entry's is well formed, so the pattern admits it; the function
    /// refuses it at init (ECR takes a key of the repository's own region only), and so does the CLI's check of an
    /// exported environment.
    /// </summary>
    [Theory]
    [InlineData("us-west-2=arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab")]
    [InlineData("222222222222:us-west-2=arn:aws-cn:kms:us-west-2:222222222222:alias/replicas")]
    public void DestinationKmsKeys_leaves_the_region_of_a_key_ARN_to_the_function(string value)
    {
        Assert.True(Admits("DestinationKmsKeys", value));
        Assert.False(FunctionAccepts("DESTINATION_KMS_KEYS", value, "us-west-2,222222222222:us-west-2"));
    }

    /// <summary>
    /// The two whole numbers the function reads from the stack's parameters are Strings with a pattern: a CloudFormation
    /// Number admits 2.5 (or 1e1), which would deploy and then fail every init. The pattern admits exactly the range the
    /// function accepts (or the narrower one the stack allows), and never a form it refuses.
    /// </summary>
    [Theory]
    [InlineData("MaxParallelLayers", "MAX_PARALLEL_LAYERS", 1, 16)]
    [InlineData("SignatureWaitSeconds", "SIGNATURE_WAIT_SECONDS", 0, 300)]
    public void A_whole_number_parameter_admits_its_range_and_nothing_the_function_refuses(string name, string variable, int min, int max)
    {
        Assert.Equal("String", (string)Parameter(name)["Type"]!);
        Assert.True(Admits(name, Parameter(name)["Default"]!.ToJsonString().Trim('"')));
        for (var value = min - 1; value <= max + 100; value++)
        {
            // The function may accept more (MAX_PARALLEL_LAYERS up to 32; the stack narrows it), never less.
            var text = value.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(value >= min && value <= max, Admits(name, text));
            Assert.True(!Admits(name, text) || FunctionAccepts(variable, text), text);
        }

        foreach (var malformed in new[] { "2.5", "1e1", " 3", "3 ", "+3", "0x3", "", "three" })
        {
            Assert.False(Admits(name, malformed), malformed);
        }
    }

    /// <summary>
    /// The two whole numbers the stack passes to integer resource properties (the event source mapping's
    /// ScalingConfig.MaximumConcurrency, the function's MemorySize) are Strings with a pattern too: as a Number,
    /// MaxConcurrency=2.5 or FunctionMemorySize=1769.5 passed the parameter's MinValue and MaxValue, and the deploy then
    /// failed at that resource, after the queues and roles were made, and rolled back (cfn-lint on the expanded
    /// template: E3012 "'2.5' is not of type 'integer'"). The pattern admits exactly the service's range.
    /// </summary>
    [Theory]
    [InlineData("MaxConcurrency", 2, 1000)]
    [InlineData("FunctionMemorySize", 128, 10240)]
    public void A_whole_number_parameter_of_an_integer_property_admits_exactly_its_range(string name, int min, int max)
    {
        Assert.Equal("String", (string)Parameter(name)["Type"]!);
        Assert.True(Admits(name, Parameter(name)["Default"]!.ToJsonString().Trim('"')));
        for (var value = 0; value <= max + 1000; value++)
        {
            var text = value.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.True((value >= min && value <= max) == Admits(name, text), text);
        }

        foreach (var malformed in new[] { "2.5", "1769.5", "1e3", " 10", "10 ", "+10", "010", "0x10", "", "ten" })
        {
            Assert.False(Admits(name, malformed), malformed);
        }
    }

    private static bool FunctionAccepts(string variable, string value, string destinations = "us-west-2")
    {
        var environment = new FixedVariables(new Dictionary<string, string>
        {
            ["AWS_REGION"] = "us-east-1",
            ["DESTINATION_REGIONS"] = destinations,
            [variable] = value,
        });
        try
        {
            Replicator.Function.Configuration.FunctionConfig.Load(environment);
            return true;
        }
        catch (Replicator.Function.Configuration.ConfigurationException e) when (e.Variable == variable)
        {
            return false;
        }
    }

    private sealed class FixedVariables(Dictionary<string, string> values) : Replicator.Core.Configuration.IEnvironmentVariables
    {
        public string? GetEnvironmentVariable(string name) => values.GetValueOrDefault(name);

        public void SetEnvironmentVariable(string name, string? value) => throw new NotSupportedException("read only");
    }
}
