using Stack.Tests.Support;

namespace Stack.Tests;

public sealed class FunctionTests
{
    private static readonly DeployedTemplate Stack = Samples.WithDeletes;

    [Fact]
    public void Function_is_a_native_aot_custom_runtime_built_by_the_makefile()
    {
        var raw = StackTemplate.Raw["Resources"]!["ReplicatorFunction"]!;
        var function = Stack.Resource("ReplicatorFunction");
        var properties = function["Properties"]!;

        Assert.Equal("AWS::Serverless::Function", (string)raw["Type"]!);
        Assert.Equal(".", (string)raw["Properties"]!["CodeUri"]!);
        Assert.Equal("makefile", (string)raw["Metadata"]!["BuildMethod"]!);
        Assert.Equal("AWS::Lambda::Function", (string)function["Type"]!);
        Assert.Equal("provided.al2023", (string)properties["Runtime"]!);
        Assert.Equal("bootstrap", (string)properties["Handler"]!);
        Assert.Equal(["x86_64"], Samples.Strings(properties["Architectures"]));
    }

    [Fact]
    public void Architecture_parameter_sets_the_function_architecture_and_admits_only_what_lambda_runs()
    {
        var parameter = StackTemplate.Raw["Parameters"]!["Architecture"]!;

        Assert.Equal("x86_64", (string)parameter["Default"]!);
        Assert.Equal(["x86_64", "arm64"], Samples.Strings(parameter["AllowedValues"]));
        Assert.Equal(["arm64"], Samples.Strings(Samples.PushOnly.Properties("ReplicatorFunction")["Architectures"]));
    }

    [Fact]
    public void Architecture_description_gives_the_arm64_container_build_the_docs_give()
    {
        // SAM passes a makefile build no architecture, so arm64 is samconfig.toml's arm64 environment, which sets the
        // build image, the Makefile's ARCHITECTURE and this parameter together (BuildConfigurationTests); the
        // template, README and docs/deploy.md name the same two commands.
        string[] arm64 = ["sam build --use-container --config-env arm64", "sam deploy --config-env arm64"];
        var description = (string)StackTemplate.Raw["Parameters"]!["Architecture"]!["Description"]!;

        foreach (var text in new[] { description, File.ReadAllText(RepositoryRoot.File("README.md")), File.ReadAllText(RepositoryRoot.File("docs", "deploy.md")) })
        {
            Assert.All(arm64, command => Assert.Contains(command, text, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Memory_gives_a_full_vcpu_and_timeout_is_within_the_lambda_maximum()
    {
        var properties = Stack.Properties("ReplicatorFunction");

        Assert.Equal("1769", properties["MemorySize"]!.ToString());
        Assert.InRange((int)properties["Timeout"]!, 60, 900);
    }

    [Fact]
    public void FunctionMemorySize_parameter_sets_the_function_memory_within_what_lambda_takes()
    {
        // Lambda takes 128 to 10,240 MB and grants one vCPU at 1,769 MB (Lambda developer guide, "Configuring
        // Lambda function memory"); the sizing advice (3538 MB with MaxParallelLayers 8) must be a parameter away.
        var parameter = StackTemplate.Raw["Parameters"]!["FunctionMemorySize"]!;

        // A whole number of MB from 128 to 10240: ParameterTests, A_whole_number_parameter_of_an_integer_property_admits_exactly_its_range.
        Assert.Equal(1769, (int)parameter["Default"]!);
        Assert.Contains("40 MB + 26.7 MB x MaxParallelLayers", (string)parameter["Description"]!, StringComparison.Ordinal);
        Assert.Equal("3538", Samples.PushOnly.Properties("ReplicatorFunction")["MemorySize"]!.ToString());
    }

    [Fact]
    public void Logs_are_json_in_a_log_group_with_retention()
    {
        var logging = Stack.Properties("ReplicatorFunction")["LoggingConfig"]!;
        var group = Stack.Properties("ReplicatorLogGroup");

        Assert.Equal("JSON", (string)logging["LogFormat"]!);
        Assert.Equal("{Ref:ReplicatorLogGroup}", (string)logging["LogGroup"]!);
        Assert.InRange((int)group["RetentionInDays"]!, 1, 3653);
    }

    /// <summary>
    /// The runbook sends operators to Lambda's own REPORT lines for timeouts and out-of-memory. Lambda writes the report
    /// record only at system log level INFO or DEBUG; at WARN it keeps only a failed runtimeDone
    /// (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html).
    /// </summary>
    [Fact]
    public void System_log_level_keeps_the_report_lines_the_runbook_sends_operators_to()
    {
        var logging = Stack.Properties("ReplicatorFunction")["LoggingConfig"]!;
        var deploy = File.ReadAllText(RepositoryRoot.File("docs", "deploy.md"));

        Assert.Contains("`REPORT` lines", deploy, StringComparison.Ordinal);
        Assert.Contains((string)logging["SystemLogLevel"]!, new[] { "INFO", "DEBUG" });
        Assert.Equal("INFO", (string)logging["ApplicationLogLevel"]!);
    }

    [Fact]
    public void Sqs_event_source_reports_item_failures_with_fifo_batch_size_and_bounded_concurrency()
    {
        var (_, mapping) = Assert.Single(Stack.OfType("AWS::Lambda::EventSourceMapping"));
        var properties = mapping["Properties"]!;

        Assert.Equal("{GetAtt:ReplicationQueue.Arn}", (string)properties["EventSourceArn"]!);
        Assert.Equal("{Ref:ReplicatorFunction}", (string)properties["FunctionName"]!);
        Assert.Equal(["ReportBatchItemFailures"], Samples.Strings(properties["FunctionResponseTypes"]));
        Assert.InRange((int)properties["BatchSize"]!, 1, 10);
        Assert.Equal("7", properties["ScalingConfig"]!["MaximumConcurrency"]!.ToString());
    }

    [Fact]
    public void Environment_is_wired_from_the_parameters_and_the_dead_letter_queue()
    {
        var variables = Stack.Properties("ReplicatorFunction")["Environment"]!["Variables"]!;

        Assert.Equal("us-west-2,eu-west-1", (string)variables["DESTINATION_REGIONS"]!);
        Assert.Equal("{Ref:DeadLetterQueue}", (string)variables["DEAD_LETTER_QUEUE_URL"]!);
        Assert.Equal("^v[0-9]+", (string)variables["TAG_FILTER"]!);
        Assert.Equal("true", (string)variables["REPLICATE_DELETES"]!);
        Assert.Equal("EcrReplicator", (string)variables["METRICS_NAMESPACE"]!);
        Assert.Equal("4", variables["MAX_PARALLEL_LAYERS"]!.ToString());
        Assert.Equal(string.Empty, (string)variables["DESTINATION_KMS_KEYS"]!);
        Assert.Equal("false", (string)Samples.PushOnly.Properties("ReplicatorFunction")["Environment"]!["Variables"]!["REPLICATE_DELETES"]!);
    }
}
