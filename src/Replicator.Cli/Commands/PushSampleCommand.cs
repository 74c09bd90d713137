using System.CommandLine;
using Replicator.Cli.Composition;
using Replicator.Cli.Demo;
using Replicator.Cli.Selection;
using Replicator.Samples;

namespace Replicator.Cli.Commands;

/// <summary>
/// <c>push-sample REPO:TAG</c>: pushes the demo's deterministic multi-arch image to a registry (LocalEcr, for local
/// runs) and writes the SQS FIFO event that push produces on stdout, ready for <c>scripts/invoke-local.sh</c> or
/// <c>sam local invoke -e</c>.
/// </summary>
public static class PushSampleCommand
{
    public static Command Create(CliContext context)
    {
        var selection = new SelectionOptions();
        var image = new Argument<string>("image") { Description = "REPOSITORY:TAG to push the sample image to" };
        var seed = new Option<ulong>("--seed")
        {
            Description = "Seed of the sample image (same seed, same digests)",
            DefaultValueFactory = _ => DemoScenario.Seed,
            CustomParser = WholeNumberOption.Parser("--seed", ulong.MinValue, ulong.MaxValue),
        };
        var command = new Command("push-sample", "Push a deterministic multi-arch sample image and print the SQS FIFO event of its push (for local runs)");
        command.Arguments.Add(image);
        command.Options.Add(selection.SourceRegion);
        command.Options.Add(seed);
        command.SetAction((parse, ct) =>
        {
            var region = selection.Read(parse, context, requireDestinations: false).SourceRegion;
            var target = ImageArgument.ParseTagged(parse.GetValue(image)!, "push-sample needs REPOSITORY:TAG (the sample's digest is fixed by its seed)");
            return RefusedSourceKey.ExplainAsync(region, () => RunAsync(context, region, target, parse.GetValue(seed), ct));
        });
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, string region, (string Repository, string Tag) target, ulong seed, CancellationToken cancellationToken)
    {
        using var services = new CliServices(context, copies: false);
        var client = services.Clients.GetClient(region);
        var image = DemoScenario.SampleImage(seed);
        await SampleImagePusher.PushAsync(client, target.Repository, image, target.Tag, cancellationToken);
        var described = await client.DescribeRepositoriesAsync(new() { RepositoryNames = [target.Repository] }, cancellationToken);
        var account = described.Repositories?.FirstOrDefault()?.RegistryId
            ?? throw new UsageException($"the registry did not report the account of {target.Repository}");

        var now = context.Time.GetUtcNow();
        var events = DemoEvents.ForPush(account, region, target.Repository, image, target.Tag, now);
        var batch = DemoEvents.Batch(events, $"arn:{Replicator.Core.Partitions.AwsPartitions.IdOf(region)}:sqs:{region}:{account}:ecr-replicator.fifo", region, now);
        await context.Out.WriteLineAsync(DemoEvents.Serialize(batch));
        await context.Error.WriteLineAsync($"pushed {target.Repository}:{target.Tag} ({image.Digest}) to {region}; the SQS FIFO event of its {events.Count} PutImage calls is on stdout");
        return ExitCodes.Success;
    }
}
