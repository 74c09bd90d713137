using System.CommandLine;
using Replicator.Cli.Composition;
using Replicator.Cli.Output;
using Replicator.Cli.Selection;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Reconciliation;
using Replicator.Core.Replication;
using Replicator.Core.Validation;

namespace Replicator.Cli.Commands;

/// <summary><c>copy REPO:TAG|REPO@DIGEST</c>: one image to the destination regions.</summary>
public static class CopyCommand
{
    public static Command Create(CliContext context)
    {
        var selection = new SelectionOptions();
        var image = new Argument<string>("image") { Description = "REPOSITORY:TAG or REPOSITORY@sha256:DIGEST, or the image URI in the source registry (ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY:TAG)" };
        var command = new Command("copy", "Replicate one image to the destination regions");
        command.Arguments.Add(image);
        selection.AddRegionsTo(command);
        command.SetAction((parse, ct) =>
        {
            var argument = ImageArgument.Parse(parse.GetValue(image)!);
            var criteria = selection.Read(parse, context, impliedSourceRegion: argument.Registry is { } host ? (host.Region, $"the registry host {EcrNames.Quote(host.Host)}") : null);
            RefuseOtherRegion(argument, criteria.SourceRegion);
            return RefusedSourceKey.ExplainAsync(criteria.SourceRegion, () => RunAsync(context, criteria, argument, ct));
        });
        return command;
    }

    /// <summary>
    /// An image URI names its registry, as docker, crane and skopeo read it: its region is the source region unless
    /// --source-region says otherwise, and then the URI names another registry than the one copy reads, refused
    /// rather than copied from a repository of the same name elsewhere.
    /// </summary>
    private static void RefuseOtherRegion(ImageArgument image, string sourceRegion)
    {
        if (image.Registry is { } host && !string.Equals(host.Region, sourceRegion, StringComparison.Ordinal))
        {
            throw new UsageException($"image {EcrNames.Quote(image.Reference)} is in the registry of {host.Region}, not of --source-region {sourceRegion}: give its region as --source-region, or leave that out");
        }
    }

    /// <summary>
    /// The account of an image URI must be the source registry's, the account of the credentials in use, which is
    /// the registry copy reads (DescribeImages with no registryId): the same repository name in another account is
    /// another image.
    /// </summary>
    private static void RefuseOtherAccount(ImageArgument image, string? account, string region)
    {
        if (image.Registry is { } host && account is not null && !string.Equals(host.Account, account, StringComparison.Ordinal))
        {
            throw new UsageException($"image {EcrNames.Quote(image.Reference)} is in account {host.Account}'s registry, but the source registry in {region} is account {account}'s (the credentials in use): copy reads only that one; use credentials of account {host.Account}");
        }
    }

    private static async Task<int> RunAsync(CliContext context, SelectionCriteria criteria, ImageArgument image, CancellationToken cancellationToken)
    {
        var console = new CliConsole(context);
        var progress = new ProgressObserver(console, cancellationToken);
        using var services = new CliServices(context, criteria, observer: progress);
        var detail = await DescribeAsync(services.Clients.GetClient(criteria.SourceRegion), image, criteria.SourceRegion, cancellationToken);
        var account = detail.RegistryId ?? throw new UsageException($"the source did not report the account of {image.Repository}");
        RefuseOtherAccount(image, account, criteria.SourceRegion);
        SourceRegistryDestination.Refuse(criteria, account, services.Destinations);
        var request = new ReplicationRequest(
            new ImageReference(account, criteria.SourceRegion, image.Repository, image.Digest ?? detail.ImageDigest, image.Tag),
            criteria.Destinations);
        return await ReplicationRunner.RunAsync(services, progress, console, new IReadOnlyList<ReplicationRequest>[] { [request] }.ToAsyncEnumerable(), parallel: 1, cancellationToken);
    }

    /// <summary>
    /// The image must exist at the source: a typo is a usage error, not a "skipped" row. In every status, by the
    /// engine's rule (<see cref="ImageDescriptions.FindAsync"/>): an archived image exists, and is reported archived,
    /// however ECR reads the status filter for images asked by id (docs/fidelity.md, "Known unknowns"): asked by id it
    /// may be described ACTIVE only, and the listings of ARCHIVED and ACTIVATING images still show it.
    /// </summary>
    private static async Task<ImageDetail> DescribeAsync(IEcrClient client, ImageArgument image, string region, CancellationToken cancellationToken)
    {
        var id = new ImageIdentifier { ImageTag = image.Tag, ImageDigest = image.Digest };
        if (await ImageDescriptions.FindAsync(client, null, image.Repository, id, cancellationToken) is { } found)
        {
            return found;
        }

        var named = $"{image.Repository}{(image.Tag is null ? "@" + image.Digest : ":" + image.Tag)}";
        if (image.Registry is not null)
        {
            // Not found in the caller's registry: where the repository is there, its account says whether the URI
            // named another registry (one DescribeRepositories, only for a URI not found).
            RefuseOtherAccount(image, await SourceAccount.OfRepositoryAsync(client, image.Repository, cancellationToken), region);
        }

        // A first component with a '.' may be another registry's host pasted (ghcr.io/org/app:1): it is a valid ECR
        // repository name, so it was looked up as one, and the message says so.
        var slash = image.Repository.IndexOf('/', StringComparison.Ordinal);
        var hint = image.Registry is null && slash > 0 && image.Repository[..slash].Contains('.', StringComparison.Ordinal)
            ? $" (read as a repository name: copy takes REPOSITORY:TAG, REPOSITORY@DIGEST or an image URI of the source ECR registry, so {EcrNames.Quote(image.Repository[..slash])} is not taken for a registry)"
            : string.Empty;
        throw new UsageException($"{named} does not exist in {region}{hint}");
    }
}
