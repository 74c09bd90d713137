using Replicator.Core.Replication;
using Replicator.Core.Selection;
using Replicator.Function.Configuration;
using Replicator.Function.Observability;
using Replicator.Function.Tests.Support;
using Replicator.Testing;

namespace Replicator.Function.Tests.Configuration;

public class FunctionConfigTests
{
    private static FunctionConfig Load(params (string Name, string? Value)[] overrides)
    {
        var values = new Dictionary<string, string?>
        {
            ["AWS_REGION"] = "us-east-1",
            ["DESTINATION_REGIONS"] = "us-west-2",
        };
        foreach (var (name, value) in overrides)
        {
            values[name] = value;
        }

        return FunctionConfig.Load(new DictionaryEnvironmentVariables(values));
    }

    private static ConfigurationException Fails(params (string Name, string? Value)[] overrides) =>
        Assert.Throws<ConfigurationException>(() => Load(overrides));

    /// <summary>
    /// The ECR endpoint settings every copy reads are checked at init, with or without an event bus: a bad value stopped every
    /// record instead (retried, then dead-lettered on its last receive) and named the variable only in the record's log.
    /// </summary>
    [Theory]
    [InlineData("AWS_USE_FIPS_ENDPOINT", "yes")]
    [InlineData("AWS_USE_DUALSTACK_ENDPOINT", "1")]
    [InlineData("AWS_ENDPOINT_URL_ECR", "not a url")]
    [InlineData("AWS_ENDPOINT_URL", "ftp://127.0.0.1/")]
    public void A_bad_ecr_endpoint_setting_is_an_init_error_naming_it(string variable, string value)
    {
        var ex = Fails((variable, value));

        Assert.Equal(variable, ex.Variable);
        Assert.StartsWith(variable + ": ", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// An endpoint override wins over the FIPS and dual-stack flags, but every ECR client still reads them: checked at
    /// init whatever the endpoint, or a bad flag beside AWS_ENDPOINT_URL_ECR failed every record instead.
    /// </summary>
    [Theory]
    [InlineData("AWS_ENDPOINT_URL_ECR", "AWS_USE_FIPS_ENDPOINT", "maybe")]
    [InlineData("AWS_ENDPOINT_URL", "AWS_USE_DUALSTACK_ENDPOINT", "1")]
    public void A_bad_endpoint_flag_is_an_init_error_beside_an_endpoint_override(string endpointVariable, string flag, string value)
    {
        var ex = Fails((endpointVariable, "http://127.0.0.1:5000"), (flag, value));

        Assert.Equal(flag, ex.Variable);
    }

    [Fact]
    public void Defaults_apply_when_only_required_variables_are_set()
    {
        var config = Load();
        Assert.Equal("us-east-1", config.Region);
        Assert.Equal([new ReplicationDestination("us-west-2")], config.Destinations);
        Assert.Null(config.DeadLetterQueueUrl);
        Assert.Equal(4, config.MaxParallelLayers);
        Assert.Equal(TimeSpan.Zero, config.ToReplicatorOptions().SignatureWait);
        Assert.Null(config.TagFilter);
        Assert.False(config.ReplicateDeletes);
        Assert.Equal("EcrReplicator", config.MetricsNamespace);
        Assert.Equal(LogLevel.Info, config.LogLevel);
        Assert.Equal(LogFormat.Json, config.LogFormat);
        Assert.Null(config.SqsEndpoint);
    }

    [Fact]
    public void Every_variable_is_read()
    {
        var config = Load(
            ("DESTINATION_REGIONS", " us-west-2 , 111111111111:eu-west-1,222222222222:us-west-2"),
            ("DEAD_LETTER_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/000000000000/dlq.fifo"),
            ("MAX_PARALLEL_LAYERS", "32"),
            ("SIGNATURE_WAIT_SECONDS", "45"),
            ("TAG_FILTER", "v[0-9]+"),
            ("REPLICATE_DELETES", "TRUE"),
            ("METRICS_NAMESPACE", "Team/Replicator"),
            ("AWS_LAMBDA_LOG_LEVEL", "warn"),
            ("AWS_LAMBDA_LOG_FORMAT", "Text"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"));

        Assert.Equal(
            [new ReplicationDestination("us-west-2"), new ReplicationDestination("eu-west-1", "111111111111"), new ReplicationDestination("us-west-2", "222222222222")],
            config.Destinations);
        Assert.Equal("https://sqs.us-east-1.amazonaws.com/000000000000/dlq.fifo", config.DeadLetterQueueUrl!.AbsoluteUri);
        Assert.Equal(32, config.MaxParallelLayers);
        Assert.Equal(TimeSpan.FromSeconds(45), config.ToReplicatorOptions().SignatureWait);
        Assert.Matches(config.TagFilter!, "v12");
        Assert.DoesNotMatch(config.TagFilter!, "dev-v12");
        // The engine's replicated deletes remove, after an index, only the tags TAG_FILTER takes.
        Assert.Same(config.TagFilter, config.ToReplicatorOptions().TagFilter);
        Assert.True(config.ReplicateDeletes);
        Assert.Equal("Team/Replicator", config.MetricsNamespace);
        Assert.Equal(LogLevel.Warn, config.LogLevel);
        Assert.Equal(LogFormat.Text, config.LogFormat);
        Assert.Equal("http://127.0.0.1:4566/", config.SqsEndpoint!.AbsoluteUri);
    }

    /// <summary>
    /// In Lambda, MAX_PARALLEL_LAYERS is lowered to what AWS_LAMBDA_FUNCTION_MEMORY_SIZE holds, and the engine gets the
    /// lowered value; outside Lambda (the variable unset) it is taken as given.
    /// </summary>
    [Theory]
    [InlineData("16", "128", 3)]
    [InlineData("16", "1769", 16)]
    [InlineData(null, "128", 3)]
    [InlineData("16", null, 16)]
    public void Max_parallel_layers_is_lowered_to_what_the_functions_memory_holds(string? layers, string? memory, int expected)
    {
        var config = Load(("MAX_PARALLEL_LAYERS", layers), ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", memory));

        Assert.Equal(expected, config.MaxParallelLayers);
        Assert.Equal(expected, config.ToReplicatorOptions().MaxParallelLayers);
        Assert.Equal(memory is null ? null : expected < (layers is null ? 4 : 16), config.LayerMemoryFit?.Lowered);
    }

    /// <summary>
    /// AWS_CA_BUNDLE is read once, at init: the configuration holds its certificates for the function's HttpClients
    /// (Program.cs, the PutEvents client), and nothing when it is unset.
    /// </summary>
    [Fact]
    public void The_ca_bundle_is_read_at_init_and_its_certificates_kept()
    {
        var root = TlsFront.UnrelatedRootPem();
        var bundle = Path.Combine(Path.GetTempPath(), $"ca-bundle-{Guid.NewGuid():N}.pem");
        File.WriteAllText(bundle, root);
        try
        {
            var roots = Load(("AWS_CA_BUNDLE", bundle)).TrustedRoots;

            Assert.Equal(root.Trim(), Assert.Single(roots!).ExportCertificatePem().Trim());
            Assert.Null(Load().TrustedRoots);
        }
        finally
        {
            File.Delete(bundle);
        }
    }

    [Fact]
    public void Sqs_specific_endpoint_wins_over_the_general_one()
    {
        var config = Load(("AWS_ENDPOINT_URL", "http://127.0.0.1:1"), ("AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:2"));
        Assert.Equal(2, config.SqsEndpoint!.Port);
    }

    [Fact]
    public void Ignoring_configured_endpoints_turns_the_sqs_override_off_as_every_other()
    {
        // The SDKs' rule (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html), which the ECR, STS,
        // SSM and EventBridge overrides here and the CLI's SQS client follow: the dead-letter, visibility and reconcile
        // sends must not go to an endpoint the setting turned off.
        var config = Load(("AWS_ENDPOINT_URL", "http://127.0.0.1:1"), ("AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:2"), ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"));
        Assert.Null(config.SqsEndpoint);
    }

    [Theory]
    [InlineData("AWS_REGION", null)]
    [InlineData("AWS_REGION", "moon-1")]
    [InlineData("DESTINATION_REGIONS", null)]
    [InlineData("DESTINATION_REGIONS", "  ")]
    [InlineData("DESTINATION_REGIONS", "us-west-2,")]
    [InlineData("DESTINATION_REGIONS", "us-west-2,us-west-2")]
    [InlineData("DESTINATION_REGIONS", "111111111111:eu-west-1,111111111111:eu-west-1")]
    [InlineData("DESTINATION_REGIONS", "12345:eu-west-1")]
    [InlineData("DESTINATION_REGIONS", "111111111111:")]
    [InlineData("DESTINATION_REGIONS", "US-WEST-2")]
    [InlineData("DEAD_LETTER_QUEUE_URL", "sqs/dlq")]
    [InlineData("DEAD_LETTER_QUEUE_URL", "http://sqs.us-east-1.amazonaws.com/000000000000/dlq")]
    [InlineData("DEAD_LETTER_QUEUE_URL", "ftp://example.com/q")]
    [InlineData("DEAD_LETTER_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/000000000000/dlq?X-Amz-Signature=abc")]
    [InlineData("MAX_PARALLEL_LAYERS", "0")]
    [InlineData("MAX_PARALLEL_LAYERS", "33")]
    [InlineData("MAX_PARALLEL_LAYERS", "-1")]
    [InlineData("MAX_PARALLEL_LAYERS", "four")]
    [InlineData("SIGNATURE_WAIT_SECONDS", "-1")]
    [InlineData("SIGNATURE_WAIT_SECONDS", "301")]
    [InlineData("SIGNATURE_WAIT_SECONDS", "1.5")]
    [InlineData("SIGNATURE_WAIT_SECONDS", "thirty")]
    [InlineData("TAG_FILTER", "v[0-9")]
    [InlineData("TAG_FILTER", "(unclosed")]
    [InlineData("REPOSITORY_FILTER", "!sandbox/*")]
    [InlineData("REPOSITORY_FILTER", "team/*/app")]
    [InlineData("REPOSITORY_FILTER", "*,!*")]
    [InlineData("REPOSITORY_FILTER", "team/a,!team/*")]
    [InlineData("REPLICATE_DELETES", "yes")]
    [InlineData("METRICS_NAMESPACE", "AWS/ECR")]
    [InlineData("METRICS_NAMESPACE", "bad$name")]
    [InlineData("AWS_LAMBDA_LOG_LEVEL", "VERBOSE")]
    [InlineData("AWS_LAMBDA_LOG_FORMAT", "XML")]
    [InlineData("AWS_ENDPOINT_URL_SQS", "not a url")]
    [InlineData("AWS_ENDPOINT_URL_SQS", "ftp://127.0.0.1:9324")]
    [InlineData("AWS_ENDPOINT_URL_STS", "not a url")]
    [InlineData("AWS_ENDPOINT_URL_SSM", "ftp://x")]
    [InlineData("AWS_CA_BUNDLE", "/nonexistent/ca-bundle.pem")]
    [InlineData("REPOSITORY_MAPPING", "team/")]
    [InlineData("REPOSITORY_MAPPING", "team/=Mirror/")]
    [InlineData("DESTINATION_ROLE_NAME", "no spaces")]
    [InlineData("DESTINATION_ROLE_ARNS", "222222222222=arn:aws:iam::333333333333:role/x")]
    [InlineData("DESTINATION_EXTERNAL_ID", "x")]
    [InlineData("DESTINATION_CREDENTIALS", "eu-west-1=/x")]
    [InlineData("DESTINATION_CREDENTIALS", "us-west-2=arn:aws:ssm:us-east-1:111111111111:parameter/x")]
    public void Invalid_values_name_the_variable(string variable, string? value)
    {
        var error = Fails((variable, value));
        Assert.Equal(variable, error.Variable);
        Assert.StartsWith(variable + ":", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A bare word for a queue URL is a queue's name typed for its URL, unless sam local made it from the template's Ref
    /// (AWS_SAM_LOCAL, SamLocalInvokeTests): the error then says what a queue URL looks like, not how sam local works.
    /// </summary>
    [Theory]
    [InlineData("DEAD_LETTER_QUEUE_URL", "dlq.fifo")]
    [InlineData("DEAD_LETTER_QUEUE_URL", "MyDlq")]
    [InlineData("RECONCILE_QUEUE_URL", "ReplicationQueue")]
    public void A_queue_name_for_a_queue_url_outside_sam_local_is_quoted_with_the_form_expected(string variable, string value)
    {
        var error = Fails((variable, value));
        Assert.StartsWith($"{variable}: must be an absolute queue URL such as https://sqs.us-east-1.amazonaws.com/123456789012/", error.Message, StringComparison.Ordinal);
        Assert.EndsWith($", not '{value}'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sam local", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A value of the wrong form is quoted back, so a typo in a template parameter shows in the init error.</summary>
    [Theory]
    [InlineData("MAX_PARALLEL_LAYERS", "four")]
    [InlineData("MAX_RECEIVE_COUNT", "1001")]
    [InlineData("SIGNATURE_WAIT_SECONDS", "30s")]
    [InlineData("REPLICATE_DELETES", "yes")]
    [InlineData("DESTINATION_ROLE_NAME", "no spaces")]
    [InlineData("AWS_USE_FIPS_ENDPOINT", "enabled")]
    [InlineData("AWS_USE_DUALSTACK_ENDPOINT", "1")]
    public void A_value_of_the_wrong_form_is_quoted_in_the_error(string variable, string value)
    {
        var error = Fails((variable, value));
        Assert.Equal(variable, error.Variable);
        Assert.EndsWith($", not '{value}'", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The stack denies DESTINATION_ROLE_NAME's role in each account of DESTINATION_ROLE_ARNS, so an entry naming that
    /// very role would have every AssumeRole refused: an init error naming the account instead.
    /// </summary>
    [Fact]
    public void A_role_arn_naming_the_default_role_of_its_account_is_refused_at_init()
    {
        var error = Fails(
            ("DESTINATION_REGIONS", "us-west-2,222222222222:eu-west-1"),
            ("DESTINATION_ROLE_NAME", "writer"),
            ("DESTINATION_ROLE_ARNS", "222222222222=arn:aws:iam::222222222222:role/writer"));

        Assert.Equal("DESTINATION_ROLE_ARNS", error.Variable);
        Assert.Contains("leave account 222222222222 out of DESTINATION_ROLE_ARNS", error.Message, StringComparison.Ordinal);
        // Another role of that account, or the same name on a path, is taken.
        Assert.Equal(
            "arn:aws:iam::222222222222:role/ops/writer",
            Load(("DESTINATION_REGIONS", "us-west-2,222222222222:eu-west-1"), ("DESTINATION_ROLE_NAME", "writer"), ("DESTINATION_ROLE_ARNS", "222222222222=arn:aws:iam::222222222222:role/ops/writer"))
                .Access.Route(new ReplicationDestination("eu-west-1", "222222222222"), "111111111111").RoleArn);
    }

    [Fact]
    public void Deletes_are_refused_at_init_under_a_mapping_that_can_give_two_repositories_one_destination()
    {
        var error = Fails(("REPOSITORY_MAPPING", "team/="), ("REPLICATE_DELETES", "true"));

        Assert.Equal("REPOSITORY_MAPPING", error.Variable);
        Assert.Contains("'team/='", error.Message, StringComparison.Ordinal);
        Assert.Contains("'team/app' and 'app' both become 'app'", error.Message, StringComparison.Ordinal);
        Assert.Contains("REPLICATE_DELETES", error.Message, StringComparison.Ordinal);

        // Without deletes, or with a selection under which the mapping is one to one, it loads.
        Assert.False(Load(("REPOSITORY_MAPPING", "team/=")).ReplicateDeletes);
        Assert.True(Load(("REPOSITORY_MAPPING", "team/="), ("REPLICATE_DELETES", "true"), ("REPOSITORY_FILTER", "team/*")).ReplicateDeletes);
    }

    /// <summary>
    /// A rule may map into an excluded prefix: the other direction of a two-way mirror (<c>=mirror/</c> with
    /// <c>!mirror/*</c>, so that the copies the other stack writes here are not copied back). The stack's
    /// DenyExcludedRepositories binds only the source region, where the function reads, so those writes are granted.
    /// </summary>
    [Theory]
    [InlineData("=mirror/", "*,!mirror/*")]
    [InlineData("old/=sandbox/old/", "*,!sandbox/*")]
    [InlineData("=backup/", "*,!backup/legacy/*")]
    public void A_mapping_into_an_excluded_prefix_loads(string mapping, string filter)
    {
        var config = Load(("REPOSITORY_MAPPING", mapping), ("REPOSITORY_FILTER", filter));

        Assert.Equal(mapping, config.RepositoryMapping.ToString());
        Assert.Equal(filter, config.RepositoryFilter.ToString());
    }

    /// <summary>
    /// The scheduled reconciler compares each source repository with its destination: two sources sharing one
    /// destination would each find the other's digest at their common tags and copy theirs over it, every pass.
    /// </summary>
    [Fact]
    public void The_reconciler_is_refused_at_init_under_a_mapping_that_can_give_two_repositories_one_destination()
    {
        const string queue = "https://sqs.us-east-1.amazonaws.com/111111111111/ecr-replicator.fifo";
        var error = Fails(("REPOSITORY_MAPPING", "team/="), ("RECONCILE_QUEUE_URL", queue));

        Assert.Equal("REPOSITORY_MAPPING", error.Variable);
        Assert.Contains("'team/='", error.Message, StringComparison.Ordinal);
        Assert.Contains("'team/app' and 'app' both become 'app'", error.Message, StringComparison.Ordinal);
        Assert.Contains("RECONCILE_QUEUE_URL", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("REPLICATE_DELETES", error.Message, StringComparison.Ordinal);

        // A selection under which the mapping is one to one loads with the reconciler.
        Assert.NotNull(Load(("REPOSITORY_MAPPING", "team/="), ("RECONCILE_QUEUE_URL", queue), ("REPOSITORY_FILTER", "team/*")).ReconcileQueueUrl);
    }

    [Fact]
    public void Repository_filter_is_parsed_at_init_and_defaults_to_every_repository()
    {
        Assert.Same(RepositoryFilter.Everything, Load().RepositoryFilter);

        var config = Load(("REPOSITORY_FILTER", "*,!sandbox/*"));
        Assert.True(config.RepositoryFilter.Matches("team/a"));
        Assert.False(config.RepositoryFilter.Matches("sandbox/x"));

        var error = Fails(("REPOSITORY_FILTER", "team/*,Base/nginx"));
        Assert.Contains("'Base/nginx'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Http_dead_letter_queue_is_accepted_with_a_local_sqs_endpoint()
    {
        var config = Load(("AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:9324"), ("DEAD_LETTER_QUEUE_URL", "http://127.0.0.1:9324/000000000000/dlq.fifo"));
        Assert.Equal("http", config.DeadLetterQueueUrl!.Scheme);
    }

    /// <summary>
    /// The function's one SQS client is built for AWS_REGION, and SQS serves a queue only through its own region's
    /// endpoint (another region's answers NonExistentQueue): a dead-letter or reconcile queue of another region is an
    /// init error naming the variable and both regions, whichever form of host names the region; the function's own
    /// region, in any form, and a host that names no region (a local endpoint) are taken.
    /// </summary>
    [Theory]
    [InlineData("DEAD_LETTER_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/000000000000/dlq.fifo", "eu-west-1")]
    [InlineData("DEAD_LETTER_QUEUE_URL", "https://eu-west-1.queue.amazonaws.com/000000000000/dlq.fifo", "eu-west-1")]
    [InlineData("DEAD_LETTER_QUEUE_URL", "https://vpce-0a1b2c3d-e4f5.sqs.us-east-2.vpce.amazonaws.com/000000000000/dlq.fifo", "us-east-2")]
    [InlineData("DEAD_LETTER_QUEUE_URL", "https://sqs-fips.us-gov-west-1.amazonaws.com/000000000000/dlq.fifo", "us-gov-west-1")]
    [InlineData("RECONCILE_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/000000000000/replication.fifo", "eu-west-1")]
    public void A_queue_of_another_region_is_refused_at_init_naming_both_regions(string variable, string url, string queueRegion)
    {
        var error = Fails((variable, url));

        Assert.Equal(variable, error.Variable);
        Assert.Contains($"names a queue in {queueRegion}", error.Message, StringComparison.Ordinal);
        Assert.Contains("us-east-1 (AWS_REGION)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://sqs.us-east-1.amazonaws.com/000000000000/dlq.fifo")]
    [InlineData("https://us-east-1.queue.amazonaws.com/000000000000/dlq.fifo")]
    [InlineData("https://vpce-0a1b2c3d-e4f5.sqs.us-east-1.vpce.amazonaws.com/000000000000/dlq.fifo")]
    [InlineData("https://sqs-fips.us-east-1.amazonaws.com/000000000000/dlq.fifo")]
    [InlineData("https://queues.example.internal/000000000000/dlq.fifo")]
    public void A_queue_of_the_functions_region_or_of_a_host_naming_none_is_taken(string url)
    {
        Assert.Equal(url, Load(("DEAD_LETTER_QUEUE_URL", url)).DeadLetterQueueUrl!.AbsoluteUri);
        Assert.Equal(url, Load(("RECONCILE_QUEUE_URL", url)).ReconcileQueueUrl!.AbsoluteUri);
    }

    [Fact]
    public void Duplicate_destination_error_says_so()
    {
        var error = Fails(("DESTINATION_REGIONS", "us-west-2,us-west-2"));
        Assert.Contains("listed twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_functions_own_region_is_refused_as_a_destination_but_another_account_there_is_not()
    {
        var error = Fails(("DESTINATION_REGIONS", "us-west-2,us-east-1"));
        Assert.Equal("DESTINATION_REGIONS", error.Variable);
        Assert.Contains("us-east-1 is the function's own region", error.Message, StringComparison.Ordinal);

        var config = Load(("DESTINATION_REGIONS", "111111111111:us-east-1"));
        Assert.Equal([new ReplicationDestination("us-east-1", "111111111111")], config.Destinations);
    }

    [Fact]
    public void Kms_keys_map_destination_regions_to_their_keys()
    {
        var config = Load(
            ("DESTINATION_REGIONS", "us-west-2,eu-west-1"),
            ("DESTINATION_KMS_KEYS", "us-west-2=arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab, eu-west-1=alias/ecr"));

        Assert.Equal("arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", config.KmsKeyIds["us-west-2"]);
        Assert.Equal("alias/ecr", config.KmsKeyIds["eu-west-1"]);
        Assert.Empty(Load().KmsKeyIds);
    }

    [Fact]
    public void Kms_keys_of_another_account_are_keyed_by_that_destination_and_the_region_entry_stays_the_fallback()
    {
        var config = Load(
            ("DESTINATION_REGIONS", "us-west-2,222222222222:us-west-2,333333333333:us-west-2"),
            ("DESTINATION_KMS_KEYS", "us-west-2=alias/own,222222222222:us-west-2=arn:aws:kms:us-west-2:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"));

        Assert.Equal(2, config.KmsKeyIds.Count);
        Assert.Equal("alias/own", config.KmsKeyIds["us-west-2"]);
        Assert.Equal("arn:aws:kms:us-west-2:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab", config.KmsKeyIds["222222222222:us-west-2"]);
        Assert.Same(config.KmsKeyIds, config.ToReplicatorOptions().KmsKeyIds);
    }

    [Theory]
    [InlineData("us-west-2", "REGION=KEY")]
    [InlineData("12:us-west-2=key", "12")]
    [InlineData("=key", "REGION=KEY")]
    [InlineData("us-west-2=", "REGION=KEY")]
    [InlineData("mars=key", "not an AWS region")]
    [InlineData("eu-west-1=key", "entry 'eu-west-1=key': the key must be a key id")]
    [InlineData("us-west-2=alias/a,us-west-2=alias/b", "listed twice")]
    [InlineData("us-west-2=key", "entry 'us-west-2=key': the key must be a key id")]
    [InlineData("111111111111:us-west-2=arn:aws:kms:eu-west-1:111111111111:alias/ecr", "the key is in region eu-west-1, not us-west-2")]
    [InlineData("us-west-2=arn:aws-us-gov:kms:us-west-2:111111111111:alias/ecr", "the key is in partition aws-us-gov")]
    [InlineData("us-west-2=alias/a,111111111111:us-west-2=alias/b,111111111111:us-west-2=alias/c", "destination 111111111111:us-west-2 is listed twice")]
    public void Bad_kms_key_entries_name_the_variable_and_the_problem(string value, string expected)
    {
        var error = Fails(("DESTINATION_REGIONS", "us-west-2,111111111111:us-west-2"), ("DESTINATION_KMS_KEYS", value));

        Assert.Equal("DESTINATION_KMS_KEYS", error.Variable);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// An entry left behind by a destination removed from DESTINATION_REGIONS (the stack deploys it: CloudFormation cannot
    /// compare the parts of these strings) is ignored and reported, for a WARN at init; it was an init error, which
    /// stopped every destination on every invocation until a fix was deployed.
    /// </summary>
    [Theory]
    [InlineData("DESTINATION_KMS_KEYS", "us-west-2=alias/a,eu-west-1=alias/b", "eu-west-1=alias/b", "region eu-west-1 is not in DESTINATION_REGIONS")]
    [InlineData("DESTINATION_KMS_KEYS", "us-west-2=alias/a,222222222222:us-west-2=alias/b", "222222222222:us-west-2=alias/b", "destination 222222222222:us-west-2 is not in DESTINATION_REGIONS")]
    [InlineData("DESTINATION_CREDENTIALS", "eu-west-1=ssm:/replicator/eu", "eu-west-1=ssm:/replicator/eu", "destination eu-west-1 is not in DESTINATION_REGIONS")]
    [InlineData("DESTINATION_CREDENTIALS", "333333333333:cn-north-1=ssm:/replicator/cn", "333333333333:cn-north-1=ssm:/replicator/cn", "destination 333333333333:cn-north-1 is not in DESTINATION_REGIONS")]
    [InlineData("DESTINATION_ROLE_ARNS", "222222222222=arn:aws:iam::222222222222:role/writer", "222222222222=arn:aws:iam::222222222222:role/writer", "account 222222222222 is not the account of any destination")]
    public void An_entry_naming_a_destination_not_configured_is_ignored_and_reported(string variable, string value, string entry, string reason)
    {
        var config = Load(("DESTINATION_REGIONS", "us-west-2"), (variable, value));

        var ignored = Assert.Single(config.IgnoredEntries);
        Assert.Equal(variable, ignored.Setting);
        Assert.Equal(entry, ignored.Entry);
        Assert.StartsWith(reason, ignored.Reason, StringComparison.Ordinal);
        Assert.StartsWith($"{variable}: entry '{entry}' ignored: {reason}", ignored.ToString(), StringComparison.Ordinal);

        // Nothing of it is used: no key, parameter or role for any destination but the configured one's.
        Assert.DoesNotContain(config.KmsKeyIds.Keys, k => k != "us-west-2");
        Assert.Empty(config.Access.CredentialParameters);
        Assert.Empty(config.Access.RoleArns);
        Assert.Equal(variable == "DESTINATION_KMS_KEYS" ? "alias/a" : null, config.KmsKeyIds.GetValueOrDefault("us-west-2"));
    }

    [Fact]
    public void Without_entries_for_other_destinations_nothing_is_reported()
    {
        var config = Load(
            ("DESTINATION_REGIONS", "us-west-2,222222222222:eu-west-1,333333333333:cn-north-1"),
            ("DESTINATION_KMS_KEYS", "us-west-2=alias/a,222222222222:eu-west-1=alias/b"),
            ("DESTINATION_CREDENTIALS", "333333333333:cn-north-1=ssm:/replicator/cn"),
            ("DESTINATION_ROLE_ARNS", "222222222222=arn:aws:iam::222222222222:role/writer"));

        Assert.Empty(config.IgnoredEntries);
        Assert.Empty(Load().IgnoredEntries);
    }

    /// <summary>Only a well-formed entry is ignored: a malformed one still stops init, whatever destination it names.</summary>
    [Theory]
    [InlineData("DESTINATION_KMS_KEYS", "us-west-2=alias/a,eu-west-1=alias/b c", "REGION=KEY")]
    [InlineData("DESTINATION_KMS_KEYS", "us-west-2=alias/a,eu-west-1=west", "entry 'eu-west-1=west': the key must be a key id")]
    [InlineData("DESTINATION_KMS_KEYS", "us-west-2=alias/a,eu-west-1=arn:aws:kms:us-west-2:222222222222:alias/b", "the key is in region us-west-2, not eu-west-1")]
    [InlineData("DESTINATION_KMS_KEYS", "eu-west-1=alias/a,eu-west-1=alias/b", "region eu-west-1 is listed twice")]
    [InlineData("DESTINATION_CREDENTIALS", "eu-west-1=/replicator/eu", "entry for eu-west-1 must be eu-west-1=ssm:/PARAMETER/NAME")]
    [InlineData("DESTINATION_CREDENTIALS", "mars=ssm:/replicator/mars", "destination 'mars'")]
    [InlineData("DESTINATION_ROLE_ARNS", "222222222222=arn:aws-cn:iam::222222222222:role/writer", "partition aws-cn")]
    [InlineData("DESTINATION_ROLE_ARNS", "222222222222=arn:aws:iam::444444444444:role/writer", "belongs to account 444444444444")]
    public void A_malformed_entry_naming_a_destination_not_configured_is_still_refused(string variable, string value, string expected)
    {
        var error = Fails(("DESTINATION_REGIONS", "us-west-2"), (variable, value));

        Assert.Equal(variable, error.Variable);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Destination_access_and_mapping_are_read()
    {
        var config = Load(
            ("DESTINATION_REGIONS", "us-west-2,222222222222:eu-west-1,333333333333:cn-north-1"),
            ("DESTINATION_ROLE_NAME", "writer"),
            ("DESTINATION_EXTERNAL_ID", "ext-123"),
            ("DESTINATION_CREDENTIALS", "333333333333:cn-north-1=ssm:/replicator/cn"),
            ("REPOSITORY_MAPPING", "team/=mirror/team/,=backup/"));

        Assert.Equal("writer", config.Access.RoleName);
        Assert.Equal("ext-123", config.Access.ExternalId);
        Assert.Equal("arn:aws:iam::222222222222:role/writer", config.Access.Route(new ReplicationDestination("eu-west-1", "222222222222"), "111111111111").RoleArn);
        Assert.Equal("/replicator/cn", config.Access.Route(new ReplicationDestination("cn-north-1", "333333333333"), "111111111111").ParameterName);
        Assert.Equal("mirror/team/app", config.RepositoryMapping.Map("team/app"));
        Assert.Equal("backup/app", config.RepositoryMapping.Map("app"));
    }

    [Fact]
    public void A_destination_in_another_partition_without_credentials_is_an_init_error()
    {
        var error = Fails(("DESTINATION_REGIONS", "us-west-2,cn-north-1"));

        Assert.Equal("DESTINATION_CREDENTIALS", error.Variable);
        Assert.Contains("cn-north-1", error.Message, StringComparison.Ordinal);
        Assert.Contains("partition aws-cn", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Each level Lambda's application log level setting takes, in any case, is the level of that name: the lowest
    /// written, so DEBUG must not turn on TRACE lines nor FATAL let ERROR lines through
    /// (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html).
    /// </summary>
    [Theory]
    [InlineData("TRACE", LogLevel.Trace)]
    [InlineData("debug", LogLevel.Debug)]
    [InlineData("DEBUG", LogLevel.Debug)]
    [InlineData("Info", LogLevel.Info)]
    [InlineData("WARN", LogLevel.Warn)]
    [InlineData("ERROR", LogLevel.Error)]
    [InlineData("fatal", LogLevel.Fatal)]
    [InlineData("FATAL", LogLevel.Fatal)]
    public void Every_log_level_lambda_sets_is_read_as_that_level(string value, LogLevel expected)
    {
        Assert.Equal(expected, Load(("AWS_LAMBDA_LOG_LEVEL", value)).LogLevel);
    }

    /// <summary>REPLICATE_DELETES=false turns deleting off whatever its case, as true in any case turns it on.</summary>
    [Theory]
    [InlineData("false")]
    [InlineData("False")]
    [InlineData("FALSE")]
    public void Replicate_deletes_false_in_any_case_leaves_deletes_off(string value)
    {
        Assert.False(Load(("REPLICATE_DELETES", value)).ReplicateDeletes);
    }

    /// <summary>
    /// CloudWatch takes a namespace of 1 to 255 characters that does not start with ':' (botocore's cloudwatch model,
    /// shape Namespace): one it would refuse is an init error rather than metrics that never arrive.
    /// </summary>
    [Fact]
    public void Metrics_namespace_is_taken_up_to_255_characters_not_starting_with_a_colon()
    {
        var longest = "Team/" + new string('r', 250);
        Assert.Equal(longest, Load(("METRICS_NAMESPACE", longest)).MetricsNamespace);
        Assert.Equal("Team:Replicator", Load(("METRICS_NAMESPACE", "Team:Replicator")).MetricsNamespace);

        Assert.Equal("METRICS_NAMESPACE", Fails(("METRICS_NAMESPACE", longest + "r")).Variable);
        Assert.Equal("METRICS_NAMESPACE", Fails(("METRICS_NAMESPACE", ":Team")).Variable);
    }

    /// <summary>
    /// A value is read without the white space around it (a template parameter or an --env-vars file pasted with a
    /// trailing space): a namespace, which may hold spaces, keeps none at its ends, and a number still parses.
    /// </summary>
    [Fact]
    public void Values_are_read_without_the_white_space_around_them()
    {
        var config = Load(("METRICS_NAMESPACE", " Team/Replicator "), ("MAX_PARALLEL_LAYERS", " 8 "), ("AWS_LAMBDA_LOG_LEVEL", "warn "));

        Assert.Equal("Team/Replicator", config.MetricsNamespace);
        Assert.Equal(8, config.MaxParallelLayers);
        Assert.Equal(LogLevel.Warn, config.LogLevel);
    }

    /// <summary>
    /// TAG_FILTER of white space only is refused, not read as unset: it would select no tag, and the other variables'
    /// rule (blank is unset) would instead replicate every tag, the opposite of a filter someone meant to set.
    /// Empty is unset: every tag.
    /// </summary>
    [Fact]
    public void A_tag_filter_of_white_space_is_refused_and_an_empty_one_is_every_tag()
    {
        var error = Fails(("TAG_FILTER", "   "));
        Assert.Equal("TAG_FILTER", error.Variable);
        Assert.Contains("white space", error.Message, StringComparison.Ordinal);

        Assert.Null(Load(("TAG_FILTER", string.Empty)).TagFilter);
    }

    /// <summary>
    /// The format of the init failure's line is read on its own and never refused: a value Lambda would not set is
    /// JSON, Lambda's default, so the line stays one that its log-level filtering keeps (InitFailureLogTests).
    /// </summary>
    [Theory]
    [InlineData(null, LogFormat.Json)]
    [InlineData("XML", LogFormat.Json)]
    [InlineData("json", LogFormat.Json)]
    [InlineData(" Text ", LogFormat.Text)]
    public void The_init_failures_log_format_is_json_unless_text_is_asked(string? value, LogFormat expected)
    {
        var environment = new DictionaryEnvironmentVariables(new Dictionary<string, string?> { ["AWS_LAMBDA_LOG_FORMAT"] = value });

        Assert.Equal(expected, FunctionConfigLoader.LogFormatOf(environment));
    }

    /// <summary>
    /// An SSM parameter name is at most 1011 characters (SSM PutParameter, Name: its reported maximum of 2048 includes
    /// 1037 characters for internal use, https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html):
    /// the longest is taken, one more is an init error rather than a cursor that every run fails to write.
    /// </summary>
    [Fact]
    public void A_cursor_parameter_name_is_taken_up_to_1011_characters()
    {
        var longest = "/" + new string('c', 1010);

        Assert.Equal(longest, Load(("RECONCILE_CURSOR_PARAMETER", longest)).ReconcileCursorParameter);
        Assert.Equal("RECONCILE_CURSOR_PARAMETER", Fails(("RECONCILE_CURSOR_PARAMETER", longest + "c")).Variable);
    }

    /// <summary>
    /// The engine reads the settings of this configuration only through <see cref="FunctionConfig.ToReplicatorOptions"/>:
    /// one left out there is read at init and then never applied (a mapping that names every copy's destination, the
    /// KMS key of a region, the signature wait, the tags a delete may remove).
    /// </summary>
    [Fact]
    public void The_engines_options_carry_every_setting_the_engine_applies()
    {
        var config = Load(
            ("REPOSITORY_MAPPING", "team/=mirror/team/"),
            ("DESTINATION_KMS_KEYS", "us-west-2=alias/replicas"),
            ("MAX_PARALLEL_LAYERS", "6"),
            ("SIGNATURE_WAIT_SECONDS", "30"),
            ("TAG_FILTER", "v[0-9]+"));

        var options = config.ToReplicatorOptions();

        Assert.Equal("mirror/team/app", options.RepositoryMapping.Map("team/app"));
        Assert.Equal("alias/replicas", options.KmsKeyIds["us-west-2"]);
        Assert.Equal(6, options.MaxParallelLayers);
        Assert.Equal(TimeSpan.FromSeconds(30), options.SignatureWait);
        Assert.Same(config.TagFilter, options.TagFilter);
    }
}
