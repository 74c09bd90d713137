using System.Text.Json;
using LocalLambdaHost;
using Replicator.Function.Runtime;
using Replicator.Function.Tests.Support;

namespace Replicator.Function.Tests;

/// <summary>
/// The function as <c>sam local invoke ReplicatorFunction -e EVENT</c> starts it: SAM's own variables
/// (AWS_SAM_LOCAL=true and the rest, https://github.com/aws/aws-sam-cli/blob/develop/samcli/local/lambdafn/env_vars.py)
/// and the template's Environment.Variables, where a Ref to a stack resource becomes the resource's logical id
/// (https://github.com/aws/aws-sam-cli/issues/1604) unless the --env-vars file gives the variable a value. Run against the
/// loopback Runtime API.
/// </summary>
public sealed class SamLocalInvokeTests : FunctionHostInitTests
{
    /// <summary>
    /// Each of the template's Refs to a stack resource left as sam local resolves it, the others given as docs/deploy.md's
    /// env.json gives them (a real queue URL for RECONCILE_QUEUE_URL, so that reconciling is on and the cursor is read).
    /// The init error says which variable holds a logical id, why, and names the three the --env-vars file must give, so
    /// one file fixes them all; before, a queue URL was refused without its cause, and the cursor's logical id was taken
    /// as a parameter name: a reconcile run read and wrote a stray SSM parameter "ReconcileCursor" in the caller's account.
    /// </summary>
    [Theory]
    [InlineData("DEAD_LETTER_QUEUE_URL", "DeadLetterQueue")]
    [InlineData("RECONCILE_QUEUE_URL", "ReplicationQueue")]
    [InlineData("RECONCILE_CURSOR_PARAMETER", "ReconcileCursor")]
    public async Task A_variable_sam_local_left_as_a_logical_id_fails_init_naming_it_and_the_env_vars_file(string variable, string logicalId)
    {
        var environment = SamLocalEnvironment();
        environment[variable] = logicalId;

        var result = await InvokeAsync(environment);

        Assert.Equal(LocalInvocationStatus.InitError, result.Status);
        Assert.Equal(RuntimeErrorTypes.ConfigInvalid, result.ErrorType);
        var message = JsonDocument.Parse(result.Body).RootElement.GetProperty("errorMessage").GetString()!;
        Assert.StartsWith($"{variable}: is {logicalId}, which looks like a logical id of template.yaml", message, StringComparison.Ordinal);
        Assert.Contains("--env-vars", message, StringComparison.Ordinal);
        Assert.All(["DEAD_LETTER_QUEUE_URL", "RECONCILE_QUEUE_URL", "RECONCILE_CURSOR_PARAMETER"], name => Assert.Contains(name, message, StringComparison.Ordinal));
        Assert.Contains($"{variable}: is {logicalId}", Output.ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A cursor name of that form is only refused where sam local made it, with reconciling on: in Lambda (no
    /// AWS_SAM_LOCAL) it is the operator's name, and without RECONCILE_QUEUE_URL the cursor is never read.
    /// </summary>
    [Theory]
    [InlineData(null, "https://sqs.us-east-1.amazonaws.com/123456789012/ecr-replicator.fifo")]
    [InlineData("true", "")]
    public async Task A_bare_cursor_name_is_taken_outside_sam_local_or_with_reconciling_off(string? samLocal, string reconcileQueueUrl)
    {
        var environment = SamLocalEnvironment();
        environment["AWS_SAM_LOCAL"] = samLocal;
        environment["RECONCILE_QUEUE_URL"] = reconcileQueueUrl;
        environment["RECONCILE_CURSOR_PARAMETER"] = "ReconcileCursor";

        var result = await InvokeAsync(environment);

        // Past configuration: the init error, if any, is the test host's engine, which cannot reconcile.
        Assert.NotEqual(RuntimeErrorTypes.ConfigInvalid, result.ErrorType);
    }

    private async Task<LocalInvocationResult> InvokeAsync(Dictionary<string, string?> environment)
    {
        var running = RunHostAsync(environment);

        var result = await Api.InvokeAsync("{\"Records\":[]}", TimeSpan.FromMinutes(15)).WaitAsync(Wait);
        if (result.Status == LocalInvocationStatus.InitError)
        {
            Assert.Equal(1, await running.WaitAsync(Wait));
        }

        return result;
    }

    /// <summary>What sam local passes with docs/deploy.md's env.json, with SAM's own variables (LoggingConfig honoured).</summary>
    private static Dictionary<string, string?> SamLocalEnvironment() => new()
    {
        ["AWS_SAM_LOCAL"] = "true",
        ["AWS_LAMBDA_FUNCTION_NAME"] = "ReplicatorFunction",
        ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = "1769",
        ["AWS_LAMBDA_FUNCTION_TIMEOUT"] = "900",
        ["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST",
        ["AWS_LAMBDA_LOG_FORMAT"] = "JSON",
        ["AWS_LAMBDA_LOG_LEVEL"] = "INFO",
        ["AWS_REGION"] = "us-east-1",
        ["AWS_DEFAULT_REGION"] = "us-east-1",
        ["AWS_ACCOUNT_ID"] = "123456789012",
        ["AWS_ACCESS_KEY_ID"] = "defaultkey",
        ["AWS_SECRET_ACCESS_KEY"] = "defaultsecret",
        ["REPOSITORY_FILTER"] = "*",
        ["DESTINATION_REGIONS"] = "us-west-2",
        ["MAX_RECEIVE_COUNT"] = "5",
        ["DEAD_LETTER_QUEUE_URL"] = "",
        ["RECONCILE_QUEUE_URL"] = "https://sqs.us-east-1.amazonaws.com/123456789012/ecr-replicator.fifo",
        ["RECONCILE_CURSOR_PARAMETER"] = "/ecr-replicator/ecr-replicator/reconcile-cursor",
        ["REPLICATE_DELETES"] = "false",
        ["MAX_PARALLEL_LAYERS"] = "4",
    };
}
