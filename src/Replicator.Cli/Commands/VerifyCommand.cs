using System.CommandLine;
using System.Text.Json;
using Replicator.Cli.Composition;
using Replicator.Cli.Inventory;
using Replicator.Cli.Output;
using Replicator.Cli.Selection;
using Replicator.Cli.Verification;
using Replicator.Core.Errors;
using Replicator.Core.Replication;

namespace Replicator.Cli.Commands;

/// <summary><c>verify</c>: source against destinations, tag by tag; exit 0 in sync, 1 on drift, 2 on error.</summary>
public static class VerifyCommand
{
    public static Command Create(CliContext context)
    {
        var selection = new SelectionOptions();
        var json = new Option<bool>("--json") { Description = "Write the report as JSON on stdout" };
        var command = new Command("verify", "Compare the source with the destinations: missing, different and extra tags");
        selection.AddTo(command);
        command.Options.Add(json);
        command.SetAction((parse, ct) => RunAsync(context, selection.Read(parse, context), parse.GetValue(json), ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, SelectionCriteria criteria, bool json, CancellationToken cancellationToken)
    {
        var console = new CliConsole(context);
        using var services = new CliServices(context, criteria);
        var report = await BuildReportAsync(services, criteria, cancellationToken);
        if (json)
        {
            console.Raw(context.Out, JsonSerializer.Serialize(report, CliJsonContext.Default.VerifyReport));
        }
        else
        {
            console.Write(VerifyTable.Render(report));
        }

        return report.InSync ? ExitCodes.Success : ExitCodes.Failed;
    }

    public static async Task<VerifyReport> BuildReportAsync(CliServices services, SelectionCriteria criteria, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(criteria);
        var source = services.Clients.GetClient(criteria.SourceRegion);
        var entries = new List<DriftEntry>();
        foreach (var repository in await ImageInventory.RepositoriesAsync(source, criteria, cancellationToken))
        {
            var details = await ImageInventory.TaggedImagesAsync(source, null, repository, cancellationToken)
                ?? throw new UsageException($"repository {repository} does not exist in {criteria.SourceRegion}");
            var expected = ImageSelector.SelectImages(repository, details, criteria);
            var sourceTags = ImageSelector.SelectImages(repository, details, criteria, applySince: false).Select(i => i.Tag).ToHashSet(StringComparer.Ordinal);
            var sourceAccount = details.Select(d => d.RegistryId).FirstOrDefault(r => r is not null);
            string target;
            try
            {
                target = criteria.Mapping.Map(repository);
            }
            catch (ReplicationException e)
            {
                throw new UsageException(e.Message);
            }

            foreach (var destination in criteria.Destinations)
            {
                var there = await ImageInventory.TaggedImagesAsync(services.Destinations.GetClient(destination, sourceAccount), destination.RegistryId, target, cancellationToken);
                var destinationImages = there is null ? null : ImageSelector.SelectImages(repository, there, criteria, applySince: false);
                entries.AddRange(DriftDetector.Compare(repository, destination.ToString(), expected, sourceTags, destinationImages));
            }
        }

        return new VerifyReport(criteria.SourceRegion, [.. criteria.Destinations.Select(d => d.ToString())], entries);
    }
}
