using System.CommandLine;
using Replicator.Cli.Commands;
using Replicator.Cli.Composition;
using Replicator.Core.Replication;
using Replicator.Core.Signing;
using Replicator.Function.Configuration;
using Replicator.Testing;

namespace Replicator.Cli.Tests.Composition;

/// <summary>
/// The CLI builds its engine's <see cref="ReplicatorOptions"/> itself (<see cref="CliServices"/>), not through
/// <see cref="FunctionConfig.ToReplicatorOptions"/>: from the function's exported environment, a copy made by the CLI
/// must land where the function's would (the same repository names, the same KMS key per new repository) and behave
/// as its engine does. Only the number of layers at once is the CLI's own (below).
/// </summary>
public sealed class EngineOptionsTests
{
    private static readonly Dictionary<string, string?> FunctionEnvironment = new()
    {
        ["AWS_REGION"] = "us-east-1",
        ["DESTINATION_REGIONS"] = "us-west-2,222222222222:eu-west-1",
        ["DESTINATION_ROLE_NAME"] = "ecr-replicator-destination",
        ["REPOSITORY_MAPPING"] = "team/=mirror/team/,app=apps/app",
        ["DESTINATION_KMS_KEYS"] = "us-west-2=arn:aws:kms:us-west-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab,222222222222:eu-west-1=alias/ecr",
        ["MAX_PARALLEL_LAYERS"] = "8",
        ["SIGNATURE_WAIT_SECONDS"] = "45",
    };

    [Fact]
    public void The_CLI_engine_maps_and_encrypts_as_the_function_does_from_the_same_environment()
    {
        var environment = new DictionaryEnvironmentVariables(FunctionEnvironment);
        var function = FunctionConfig.Load(environment).ToReplicatorOptions();
        var cli = CliOptions(environment, "--source-region", "us-east-1", "--destination-region", "us-west-2,222222222222:eu-west-1");

        Assert.False(function.RepositoryMapping.IsIdentity);
        Assert.Equal(function.RepositoryMapping.Rules, cli.RepositoryMapping.Rules);
        Assert.Equal(2, function.KmsKeyIds.Count);
        Assert.Equal(function.KmsKeyIds.OrderBy(k => k.Key, StringComparer.Ordinal), cli.KmsKeyIds.OrderBy(k => k.Key, StringComparer.Ordinal));
        Assert.Equal(function.PutImageRatePerSecond, cli.PutImageRatePerSecond);
        Assert.Equal(function.Retry, cli.Retry);
        Assert.Equal(function.BlobCopy, cli.BlobCopy);
        Assert.Equal(TimeSpan.FromSeconds(45), function.SignatureWait);
        Assert.Equal(function.SignatureWait, cli.SignatureWait);
    }

    /// <summary>
    /// MAX_PARALLEL_LAYERS sizes the function's memory (docs/deploy.md, MaxParallelLayers); the CLI bounds layers at
    /// the function's default whatever the variable says (its README: "the engine bounds layers at 4 on its own"), and
    /// its own parallelism is images at once (<c>sync --parallel</c>).
    /// </summary>
    [Fact]
    public void The_CLI_copies_the_function_default_number_of_layers_at_once_whatever_MAX_PARALLEL_LAYERS_says()
    {
        var environment = new DictionaryEnvironmentVariables(FunctionEnvironment);
        var cli = CliOptions(environment, "--source-region", "us-east-1", "--destination-region", "us-west-2");

        Assert.Equal(8, FunctionConfig.Load(environment).ToReplicatorOptions().MaxParallelLayers);
        Assert.Equal(FunctionConfig.DefaultMaxParallelLayers, cli.MaxParallelLayers);
    }

    /// <summary>The options of <see cref="CliServices"/> for a command line's selection, read as sync and verify read it.</summary>
    private static ReplicatorOptions CliOptions(DictionaryEnvironmentVariables environment, params string[] args)
    {
        var selection = new SelectionOptions();
        var command = new RootCommand();
        selection.AddTo(command);
        var parse = command.Parse(args);
        Assert.Empty(parse.Errors);

        var context = new CliContext
        {
            Environment = environment,
            Out = TextWriter.Null,
            Error = TextWriter.Null,
            Credentials = new StaticCredentialsSource(new AwsCredentials("AKIDEXAMPLE", "secret")),
        };
        using var services = new CliServices(context, selection.Read(parse, context));
        return services.Options;
    }
}
