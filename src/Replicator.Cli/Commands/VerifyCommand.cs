using System.CommandLine;
using System.Text.Json;
using Replicator.Cli.Composition;
using Replicator.Cli.Inventory;
using Replicator.Cli.Output;
using Replicator.Cli.Selection;
using Replicator.Cli.Verification;
using Replicator.Core.Errors;
using Replicator.Core.Manifests;
using Replicator.Core.Reconciliation;
using Replicator.Core.Replication;

namespace Replicator.Cli.Commands;

/// <summary>
/// <c>verify</c>: source against destinations, tag by tag, and the referrers (signatures, SBOMs, attestations) of
/// each selected image, which the replicator copies with it; exit 0 in sync, 1 on drift, 2 on error.
/// </summary>
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
        var repositories = await ImageInventory.RepositoriesAsync(source, criteria, cancellationToken);
        if (repositories.Count == 0)
        {
            // "In sync" over nothing would pass a script that checks the exit code after a typo in the selection.
            throw ImageInventory.NoRepository(criteria, "verify");
        }

        // The caller's account, as the source registry names it: it tells an ACCOUNT:REGION destination of that account
        // (the caller's own credentials) from another account's (a role there).
        string? account = null;
        foreach (var repository in repositories)
        {
            // Every status on both sides (DriftDetector): an archived image still holds its tags.
            var details = await ImageInventory.TaggedImagesAsync(source, null, repository, cancellationToken, everyStatus: true);
            if (details is null)
            {
                if (ImageInventory.Vanished(criteria, repository) is { } missing)
                {
                    throw missing;
                }

                continue;
            }

            var expected = ImageSelector.SelectImages(repository, details, criteria);
            var sourceTags = ImageSelector.SelectImages(repository, details, criteria, applySince: false).Select(i => i.Tag).ToHashSet(StringComparer.Ordinal);
            account ??= details.Select(d => d.RegistryId).FirstOrDefault(r => r is not null);
            if (account is null && criteria.Destinations.Any(d => d.RegistryId is not null))
            {
                // An empty or untagged-only repository lists no image to name it.
                account = await SourceAccount.OfRepositoryAsync(source, repository, cancellationToken);
            }

            string target;
            try
            {
                target = criteria.Mapping.Map(repository);
            }
            catch (ReplicationException e)
            {
                throw new UsageException(e.Message);
            }

            // The referrers of each selected image (once per digest, named after its first selected tag), and of an
            // index's platform manifests, which the copy brings along and the reconciler heals.
            var indexes = details.Where(d => MediaTypes.IsIndex(d.ImageManifestMediaType)).Select(d => d.ImageDigest).OfType<string>().ToHashSet(StringComparer.Ordinal);
            var referrers = new List<(string Tag, IReadOnlyList<ReferrerEntry> Referrers)>();
            // Active images only: an archived one cannot be pulled, nor its index read, and nothing copies its referrers.
            foreach (var image in expected.Where(i => i.IsActive).DistinctBy(i => i.Digest))
            {
                IReadOnlyList<string> subjects = indexes.Contains(image.Digest)
                    ? [image.Digest, .. await IndexChildren.DigestsAsync(source, null, repository, image.Digest, cancellationToken)]
                    : [image.Digest];
                var found = await ReferrerInventory.WalkAsync(source, null, repository, subjects, cancellationToken);
                if (found.Count > 0)
                {
                    referrers.Add((image.Tag, found));
                }
            }

            foreach (var destination in criteria.Destinations)
            {
                var client = services.Destinations.GetClient(destination, account);
                var there = await ImageInventory.TaggedImagesAsync(client, destination.RegistryId, target, cancellationToken, everyStatus: true);
                var destinationImages = there is null ? null : ImageSelector.SelectImages(repository, there, criteria, applySince: false);
                entries.AddRange(DriftDetector.Compare(repository, destination.ToString(), expected, sourceTags, destinationImages));

                var held = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
                foreach (var (tag, found) in referrers)
                {
                    foreach (var subject in found.Select(r => r.SubjectDigest).Distinct(StringComparer.Ordinal).Where(s => !held.ContainsKey(s)).ToList())
                    {
                        held[subject] = there is null ? new HashSet<string>() : await ReferrerInventory.DigestsAsync(client, destination.RegistryId, target, subject, cancellationToken);
                    }

                    entries.AddRange(DriftDetector.CompareReferrers(repository, tag, destination.ToString(), found, held));
                }
            }
        }

        return new VerifyReport(criteria.SourceRegion, [.. criteria.Destinations.Select(d => d.ToString())], entries);
    }
}
