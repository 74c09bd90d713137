using System.Text.RegularExpressions;
using Stack.Tests.Support;

namespace Stack.Tests;

/// <summary>The reconcile schedule: the same function, invoked by a Scheduled Event, sending drift to the FIFO queue.</summary>
public sealed class ReconcileTests
{
    private static readonly Lazy<DeployedTemplate> OffLazy = new(() => StackTemplate.Expand(new Dictionary<string, string>
    {
        ["RepositoryFilter"] = "team/*",
        ["DestinationRegions"] = "us-west-2",
        ["ReconcileSchedule"] = "",
    }));

    private static List<PolicyStatement> Statements(DeployedTemplate stack) =>
        [.. stack.OfType("AWS::IAM::RolePolicy").Where(p => p.Key == "ReconcilerPolicy").SelectMany(r => PolicyStatement.Of(r.Key, r.Value["Properties"]!["PolicyDocument"]!))];

    [Fact]
    public void By_default_a_rule_invokes_the_function_every_six_hours_and_only_that_rule_may()
    {
        var stack = Samples.Selecting("team/*");
        var rule = stack.Properties("ReconcileRule");
        var target = Assert.Single(rule["Targets"]!.AsArray())!;
        var permission = stack.Properties("ReconcileInvokePermission");

        Assert.Equal("rate(6 hours)", (string)rule["ScheduleExpression"]!);
        Assert.Null(rule["EventPattern"]);
        Assert.Equal("ENABLED", (string)rule["State"]!);
        Assert.Equal("{GetAtt:ReplicatorFunction.Arn}", (string)target["Arn"]!);
        // The function reads the Scheduled Event itself: no Input that would replace it.
        Assert.Null(target["Input"]);
        Assert.Equal("lambda:InvokeFunction", (string)permission["Action"]!);
        Assert.Equal("events.amazonaws.com", (string)permission["Principal"]!);
        Assert.Equal("{GetAtt:ReconcileRule.Arn}", (string)permission["SourceArn"]!);
        Assert.Equal("{Ref:ReplicatorFunction}", (string)permission["FunctionName"]!);
        // The schedule starts only once the reconcile grants exist: a first run before them would fail with
        // AccessDenied, and with no async retry reconciling would wait a whole period.
        Assert.Contains("ReconcilerPolicy", Samples.Strings(stack.Resource("ReconcileRule")["DependsOn"]));
        Assert.Equal("ReconcileEnabled", (string)stack.Resource("ReconcilerPolicy")["Condition"]!);
    }

    /// <summary>
    /// CloudFormation deletes in the reverse order of dependencies, so with this DependsOn the reconcile grant goes
    /// before the cursor when ReconcileSchedule is emptied or the stack deleted: a run that stops meanwhile cannot make
    /// the deleted parameter again (PutParameter creates a missing one), which would fail the next creation of
    /// ReconcileCursor with ParameterAlreadyExists (docs/deploy.md, "Updating the stack").
    /// </summary>
    [Fact]
    public void The_reconcile_grant_is_deleted_before_the_cursor_it_writes()
    {
        var stack = Samples.Selecting("team/*");

        Assert.Contains("ReconcileCursor", Samples.Strings(stack.Resource("ReconcilerPolicy")["DependsOn"]));
        // Both go with the same condition: a DependsOn on a resource a false condition leaves out fails the template.
        Assert.Equal((string?)stack.Resource("ReconcileCursor")["Condition"], (string?)stack.Resource("ReconcilerPolicy")["Condition"]);
        // The grant names the cursor's parameter: the save it refuses is that one.
        var cursor = (string)stack.Properties("ReconcileCursor")["Name"]!;
        Assert.Contains(Statements(stack), s => s.Actions.Contains("ssm:PutParameter") && s.Resources.Any(r => r.EndsWith(":parameter" + cursor, StringComparison.Ordinal)));
    }

    [Fact]
    public void A_failed_reconcile_invocation_is_not_retried_by_lambda_beside_the_next_scheduled_run()
    {
        var stack = Samples.Selecting("team/*");
        var config = Assert.Single(stack.OfType("AWS::Lambda::EventInvokeConfig")).Value["Properties"]!;

        Assert.Equal(0, (int)config["MaximumRetryAttempts"]!);

        // A throttled invocation is retried whatever MaximumRetryAttempts says, until it is this old (6 hours unless
        // set): a few minutes at most, so a late run never starts hours late beside the next one.
        Assert.InRange((int)config["MaximumEventAgeInSeconds"]!, 60, 5 * 60);
        Assert.Equal("{Ref:ReplicatorFunction}", (string)config["FunctionName"]!);
    }

    [Fact]
    public void The_function_sends_drift_to_the_replication_queue_and_keeps_its_cursor_in_its_own_parameter()
    {
        var stack = Samples.Selecting("team/*");
        var variables = stack.Properties("ReplicatorFunction")["Environment"]!["Variables"]!;
        var cursor = stack.Properties("ReconcileCursor");

        // The queue the pipe fills, so a reconciled event takes exactly the path of a pushed one.
        Assert.Equal("{Ref:ReplicationQueue}", (string)variables["RECONCILE_QUEUE_URL"]!);
        Assert.Equal("{Ref:ReconcileCursor}", (string)variables["RECONCILE_CURSOR_PARAMETER"]!);
        Assert.Equal("String", (string)cursor["Type"]!);
        Assert.Equal("-", (string)cursor["Value"]!);
        Assert.Equal($"/ecr-replicator/{IntrinsicEvaluator.StackName}/reconcile-cursor", (string)cursor["Name"]!);

        var statements = Statements(stack);
        var ssm = Assert.Single(statements, s => s.Actions.Any(a => a.StartsWith("ssm:", StringComparison.Ordinal)));
        Assert.Equal(["ssm:GetParameter", "ssm:PutParameter"], ssm.Actions.Order(StringComparer.Ordinal));
        // SSM's ARN of a parameter named /a/b is ...:parameter/a/b (one slash).
        Assert.Equal([$"arn:aws:ssm:{IntrinsicEvaluator.Region}:{IntrinsicEvaluator.AccountId}:parameter{(string)cursor["Name"]!}"], ssm.Resources);
    }

    [Fact]
    public void Listing_the_source_registry_is_the_one_grant_beyond_the_selected_repositories_and_it_only_describes()
    {
        var list = Assert.Single(Statements(Samples.Selecting("team/*")), s => s.Sid == "ListSourceRepositories");

        Assert.Equal("Allow", list.Effect);
        Assert.Equal(["ecr:DescribeRepositories"], list.Actions);
        Assert.Equal([$"arn:aws:ecr:{IntrinsicEvaluator.Region}:{IntrinsicEvaluator.AccountId}:repository/*"], list.Resources);
    }

    [Fact]
    public void An_empty_schedule_creates_no_rule_no_parameter_no_grant_and_no_reconcile_settings()
    {
        var stack = OffLazy.Value;
        var variables = stack.Properties("ReplicatorFunction")["Environment"]!["Variables"]!.AsObject();

        Assert.DoesNotContain(stack.Resources, r => r.Key.StartsWith("Reconcile", StringComparison.Ordinal));
        Assert.False(variables.ContainsKey("RECONCILE_QUEUE_URL"));
        Assert.False(variables.ContainsKey("RECONCILE_CURSOR_PARAMETER"));
        Assert.Single(stack.OfType("AWS::Events::Rule"));
    }

    [Theory]
    [InlineData("rate(6 hours)", true)]
    [InlineData("rate(1 day)", true)]
    [InlineData("cron(0 3 * * ? *)", true)]
    [InlineData("", true)]
    [InlineData("rate(0 hours)", false)]
    [InlineData("every 6 hours", false)]
    [InlineData("rate(6 hours", false)]
    [InlineData("rate(1 hours)", false)]
    [InlineData("rate(5 hour)", false)]
    [InlineData("rate(15 minutes)", true)]
    [InlineData("rate(90 minutes)", true)]
    [InlineData("rate(120 minutes)", true)]
    [InlineData("rate(1 hour)", true)]
    [InlineData("rate(2 days)", true)]
    [InlineData("cron(0/15 * * * ? *)", true)]
    public void The_schedule_parameter_takes_an_EventBridge_expression_or_nothing(string value, bool accepted)
    {
        var pattern = (string)StackTemplate.Raw["Parameters"]!["ReconcileSchedule"]!["AllowedPattern"]!;

        Assert.Equal(accepted, Regex.IsMatch(value, pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));
    }

    /// <summary>
    /// A run saves its cursor only when it stops (up to the function's 900-second timeout), so a rate shorter than that
    /// starts runs from the same cursor, each enqueueing the same drift under its own run id.
    /// </summary>
    [Theory]
    [InlineData("rate(1 minute)")]
    [InlineData("rate(5 minutes)")]
    [InlineData("rate(10 minutes)")]
    [InlineData("rate(14 minutes)")]
    public void A_rate_shorter_than_the_functions_timeout_is_refused_and_the_constraint_says_why(string value)
    {
        var parameter = StackTemplate.Raw["Parameters"]!["ReconcileSchedule"]!;
        var pattern = (string)parameter["AllowedPattern"]!;

        Assert.False(Regex.IsMatch(value, pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));
        Assert.Contains("at least 15", (string)parameter["ConstraintDescription"]!, StringComparison.Ordinal);
        Assert.Equal(900, (int)StackTemplate.Raw["Resources"]!["ReplicatorFunction"]!["Properties"]!["Timeout"]!);
    }
}
