using System.CommandLine;
using Replicator.Cli.Composition;
using Replicator.Cli.Inventory;
using Replicator.Cli.Output;
using Replicator.Cli.Selection;
using Replicator.Cli.Verification;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;
using Replicator.Core.Manifests;
using Replicator.Core.Reconciliation;
using Replicator.Core.Replication;
using Replicator.Function.Observability;

namespace Replicator.Cli.Commands;

/// <summary>
/// <c>verify</c>: source against destinations, tag by tag, and the referrers (signatures, SBOMs, attestations) of
/// each selected image, which the replicator copies with it; exit 0 in sync, 1 on drift, 2 on error. A destination
/// that cannot be read (its credentials refused, its calls denied, no valid mapped name) is reported
/// <see cref="DriftStatus.Unreadable"/> with its reason, one entry per repository, and exits 1, while the other
/// destinations are still compared: one misconfigured account out of five still leaves a report of the other four.
/// An image whose referrers the source will not list (a pull-through cache repository whose upstream cannot) is
/// reported <see cref="DriftStatus.ReferrersUnlisted"/> with the reason, and exits 1, while its tag and the other images
/// are still compared.
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
        command.SetAction((parse, ct) =>
        {
            var criteria = selection.Read(parse, context);
            return RefusedSourceKey.ExplainAsync(criteria.SourceRegion, () => RunAsync(context, criteria, parse.GetValue(json), ct));
        });
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, SelectionCriteria criteria, bool json, CancellationToken cancellationToken)
    {
        var console = new CliConsole(context);
        using var services = new CliServices(context, criteria, copies: false);
        using var writer = json ? new VerifyJsonWriter(console, context.Out) : null;
        var counts = await CompareAsync(services, criteria, writer ?? (IVerifyOutput)new VerifyTable(console), cancellationToken);
        return counts.InSync ? ExitCodes.Success : ExitCodes.Failed;
    }

    /// <summary>
    /// Compares the selection repository by repository, handing each repository's entries to <paramref name="output"/>
    /// as soon as it is compared with every destination (before the next repository is read), and keeps only the counts.
    /// </summary>
    public static async Task<VerifyCounts> CompareAsync(CliServices services, SelectionCriteria criteria, IVerifyOutput output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(criteria);
        ArgumentNullException.ThrowIfNull(output);
        var source = services.Clients.GetClient(criteria.SourceRegion);
        var counts = new VerifyCounts();
        var repositories = await ImageInventory.RepositoriesAsync(source, criteria, cancellationToken);
        if (repositories.Count == 0)
        {
            // "In sync" over nothing would pass a script that checks the exit code after a typo in the selection.
            throw ImageInventory.NoRepository(criteria, "verify");
        }

        // Every --repository checked before output begins, as sync does: the report is written repository by
        // repository, so a typo in the last name found on reaching it would leave the table of the names before it, or
        // a JSON document cut off half way, on stdout ahead of the error.
        await ImageInventory.RequireNamedAsync(source, criteria, cancellationToken);

        // The caller's account, as the source registry names it: it tells an ACCOUNT:REGION destination of that account
        // (the caller's own credentials) from another account's (a role there).
        string? account = null;
        if (SourceRegistryDestination.Possible(criteria))
        {
            // A destination that is the source registry itself (ACCOUNT:SOURCE_REGION of the source's account), or one
            // registry named twice: refused before output begins, as sync and copy refuse them. The function never
            // writes the source registry (ReplicationDestination.IsSource), so compared with it a repository would read
            // "in sync" with itself, or "missing" for good under a mapping. One DescribeRepositories, only then.
            account = await SourceAccount.OfRepositoryAsync(source, repositories[0], cancellationToken);
            SourceRegistryDestination.Refuse(criteria, account, services.Destinations);
        }

        output.Begin(criteria.SourceRegion, [.. criteria.Destinations.Select(d => d.ToString())]);

        // Destinations whose credentials could not be had, with the reason: that is the same for every repository (a
        // role not deployed yet in that account), so the rest of the run reports them unreadable without asking STS
        // again, as the reconciler skips them (DriftScanRun).
        var refused = new Dictionary<ReplicationDestination, string>();
        foreach (var repository in repositories)
        {
            var entries = new List<DriftEntry>();

            // Every status on both sides (DriftDetector): an archived image still holds its tags. Untagged images too,
            // in the same listing: a referrer names its subject there (subjectManifestDigest), so an image without
            // referrers costs no ListImageReferrers call; the tags are compared from the tagged ones.
            var images = await ImageInventory.EveryImageAsync(source, null, repository, cancellationToken);
            if (images is null)
            {
                if (ImageInventory.Vanished(criteria, repository) is { } missing)
                {
                    throw missing;
                }

                continue;
            }

            var details = Tagged(images);
            var listed = Referrers(images);
            var expected = ImageSelector.SelectImages(repository, details, criteria);
            var sourceTags = ImageSelector.SelectImages(repository, details, criteria, applySince: false).Select(i => i.Tag).ToHashSet(StringComparer.Ordinal);
            account ??= details.Select(d => d.RegistryId).FirstOrDefault(r => r is not null);
            if (account is null && criteria.Destinations.Any(d => d.RegistryId is not null))
            {
                // An empty or untagged-only repository lists no image to name it.
                account = await SourceAccount.OfRepositoryAsync(source, repository, cancellationToken);
            }

            // A mapped name ECR would refuse (too long, "a//b") names no repository in any destination: this repository
            // is unreadable everywhere, and the other repositories are still compared (sync fails it per destination
            // likewise, InvalidRepositoryMapping).
            string? target = null;
            string? unmapped = null;
            try
            {
                target = criteria.Mapping.Map(repository);
            }
            catch (ReplicationException e)
            {
                unmapped = Format.Failure(e);
            }

            // The referrers of each selected image (once per digest, named after its first selected tag), and of an
            // index's platform manifests, which the copy brings along and the reconciler heals.
            var referrers = target is null ? [] : await ReferrersAsync(source, repository, details, listed, expected, cancellationToken);

            // The referrers compared as their own selected tag, compared as referrers too but held back: one is
            // reported only where its tag turns out deleted in the source, or moved off it, during the check (TagRecheck).
            var taggedReferrers = new List<DriftEntry>();
            foreach (var destination in criteria.Destinations)
            {
                var reason = unmapped ?? refused.GetValueOrDefault(destination);
                if (reason is null)
                {
                    try
                    {
                        var client = services.Destinations.GetClient(destination, account);
                        var compared = await CompareWithAsync(client, destination, repository, target!, criteria, expected, sourceTags, referrers, cancellationToken);
                        entries.AddRange(compared.Entries);
                        taggedReferrers.AddRange(compared.TaggedReferrers);
                        continue;
                    }
                    catch (Exception e) when (Unreadable(e) is { } credentials)
                    {
                        // A refused key of a DESTINATION_CREDENTIALS parameter is named with its parameter, in the
                        // words sync's failed destination and the dry run use: ECR's own answer names neither, and with
                        // several parameters the operator could not tell which one to fix. Read as the engine reads it:
                        // ECR's refusal, or STS's of the AssumeRole of the parameter's RoleArn signed with that key.
                        reason = RefusedKeyMessage.Describe(Format.Failure(e), e, services.Destinations, destination, account);
                        if (credentials)
                        {
                            refused[destination] = reason;
                        }
                    }
                }

                // One entry per repository and destination, with no tag: the destination's tags are unknown, so no
                // tag can be called missing or extra there, and none in sync.
                entries.Add(new DriftEntry(repository, null, destination.ToString(), null, null, DriftStatus.Unreadable) { Reason = reason });
            }

            entries = await TagRecheck.SettleMovedTagsAsync(source, repository, entries, cancellationToken);
            entries = await TagRecheck.SettleListedTagsAsync(source, repository, criteria, entries, taggedReferrers, cancellationToken);
            foreach (var entry in entries)
            {
                counts.Add(entry);
            }

            output.Write(entries);
        }

        output.End(counts);
        return counts;
    }

    /// <summary>
    /// Whether <paramref name="error"/> means the destination cannot be read, rather than that the check cannot be
    /// done: null when it is any other error (which still stops the command, exit 2); true when it is the
    /// destination's credentials, the same for every repository (the engine's DestinationCredentialsUnavailable: a role
    /// STS refuses, an SSM parameter missing; or ECR refusing the key itself, UnrecognizedClientException, as for a
    /// deactivated key of DESTINATION_CREDENTIALS); false when ECR denies this repository's calls
    /// (AccessDeniedException: a policy may deny one repository and allow the next, so the next is still tried).
    /// </summary>
    private static bool? Unreadable(Exception error) => error switch
    {
        ReplicationException { ErrorCode: ReplicationErrorCodes.DestinationCredentialsUnavailable } => true,
        EcrException e when EcrErrorCodes.IsRefusedKey(e.ErrorCode) => true,
        EcrException { ErrorCode: EcrErrorCodes.AccessDeniedException } => false,
        _ => null,
    };

    /// <summary>The tagged images of a listing of every image: those whose tags are compared.</summary>
    private static List<ImageDetail> Tagged(IReadOnlyList<ImageDetail> images) => [.. images.Where(d => d.ImageTags is { Count: > 0 })];

    /// <summary>The referrers a listing of every image names by subject (Core's, as the reconciler reads them).</summary>
    private static SubjectReferrers Referrers(IReadOnlyList<ImageDetail> images)
    {
        var referrers = new SubjectReferrers();
        foreach (var image in images)
        {
            referrers.Add(image);
        }

        return referrers;
    }

    /// <summary>
    /// The referrers of each selected active image, named after its first selected tag; with the image's digest, the
    /// subjects whose referrers the source would not list (<see cref="ReferrerWalk.Unlisted"/>), and apart those it
    /// found that have a selected tag of their own (compared as that tag). Where the
    /// source's listing is to be believed (<see cref="SubjectReferrers.Trusted"/>, as the reconciler decides), only
    /// subjects it names referrers of are asked about, and a repository where no image names a subject is not read
    /// further (not even its indexes); else every subject is asked of ListImageReferrers, as before.
    /// </summary>
    private static async Task<List<(string Tag, string Digest, ReferrerWalk Walk, IReadOnlyList<ReferrerEntry> Tagged)>> ReferrersAsync(
        IEcrClient source, string repository, IReadOnlyList<ImageDetail> details, SubjectReferrers listed, IReadOnlyList<SelectedImage> expected, CancellationToken cancellationToken)
    {
        var trusted = listed.Trusted ? listed : null;
        if (trusted is { HasActiveReferrers: false })
        {
            return [];
        }

        var indexes = details.Where(d => MediaTypes.IsIndex(d.ImageManifestMediaType)).Select(d => d.ImageDigest).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var referrers = new List<(string Tag, string Digest, ReferrerWalk Walk, IReadOnlyList<ReferrerEntry> Tagged)>();

        // Each referrer is reported once in a repository. One with a selected tag of its own (an SBOM pushed with
        // `oras attach` and tagged) is compared as that tag, which is the stricter check (the tag must point at it),
        // and one reached from two walks (a signature of a tagged SBOM, found below the SBOM's subject and below the
        // SBOM itself) under the first image that reaches it; else a row and a count each would report one manifest
        // two or three times. The reconciler enqueues such a referrer once likewise (docs/reliability.md, item 210).
        // A tagged one is kept apart, once, under the first image that reaches it: should its tag be deleted in the
        // source during the check, the manifest may stay there a referrer of that image, and is then compared as one.
        var selected = expected.Select(i => i.Digest).ToHashSet(StringComparer.Ordinal);
        var reported = selected.ToHashSet(StringComparer.Ordinal);
        var tagged = new HashSet<string>(StringComparer.Ordinal);
        // Active images only: an archived one cannot be pulled, nor its index read, and nothing copies its referrers.
        foreach (var image in expected.Where(i => i.IsActive).DistinctBy(i => i.Digest))
        {
            IReadOnlyList<string> subjects = indexes.Contains(image.Digest)
                ? [image.Digest, .. await IndexChildren.DigestsAsync(source, null, repository, image.Digest, cancellationToken)]
                : [image.Digest];
            var walk = await ReferrerInventory.WalkAsync(source, null, repository, subjects, trusted, cancellationToken);
            List<ReferrerEntry> withOwnTag = [.. walk.Found.Where(r => selected.Contains(r.Digest) && tagged.Add(r.Digest))];
            walk = walk with { Found = [.. walk.Found.Where(r => reported.Add(r.Digest))] };
            if (walk.Found.Count > 0 || walk.Unlisted is not null || walk.Capped || withOwnTag.Count > 0)
            {
                referrers.Add((image.Tag, image.Digest, walk, withOwnTag));
            }
        }

        return referrers;
    }

    /// <summary>
    /// One destination's entries for one repository: its tags, then the referrers of each selected image; and apart,
    /// the referrers compared as their own selected tag, compared as referrers (reported only if that tag turns out
    /// deleted, or moved off the referrer, during the check). Built whole before any is reported, so a destination that fails half way is one
    /// unreadable entry, not a partial comparison.
    /// </summary>
    private static async Task<(List<DriftEntry> Entries, List<DriftEntry> TaggedReferrers)> CompareWithAsync(
        IEcrClient client,
        ReplicationDestination destination,
        string repository,
        string target,
        SelectionCriteria criteria,
        IReadOnlyList<SelectedImage> expected,
        IReadOnlySet<string> sourceTags,
        List<(string Tag, string Digest, ReferrerWalk Walk, IReadOnlyList<ReferrerEntry> Tagged)> referrers,
        CancellationToken cancellationToken)
    {
        var entries = new List<DriftEntry>();
        var taggedReferrers = new List<DriftEntry>();
        // One listing of every image, as in the source: its tagged images for the tags, its digests for the referrers
        // held (archived ones too), so the destination is asked nothing per subject.
        var there = await ImageInventory.EveryImageAsync(client, destination.RegistryId, target, cancellationToken);
        var destinationImages = there is null ? null : ImageSelector.SelectImages(repository, Tagged(there), criteria, applySince: false);
        var digests = there is null ? [] : there.Select(d => d.ImageDigest).OfType<string>().ToHashSet(StringComparer.Ordinal);
        entries.AddRange(DriftDetector.Compare(repository, destination.ToString(), expected, sourceTags, destinationImages));

        foreach (var (tag, digest, walk, withOwnTag) in referrers)
        {
            // A manifest's digest is that of its bytes (OCI image spec, descriptor.md, "Digests"), its subject
            // descriptor included (manifest.md, "subject"), so a destination image at the digest of a referrer the
            // source walk found is that referrer of that subject. The referrers held are those found that the
            // destination's listing holds, in any status (an archived copy is still held): nothing rests on the
            // listing's subjectManifestDigest, which ECR may leave out (docs/fidelity.md, "Known unknowns"), and the
            // destination is asked no ListImageReferrers, so none about a subject it lacks.
            var held = walk.Found.Concat(withOwnTag)
                .Where(r => digests.Contains(r.Digest))
                .GroupBy(r => r.SubjectDigest, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, IReadOnlySet<string> (g) => g.Select(r => r.Digest).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);

            entries.AddRange(DriftDetector.CompareReferrers(repository, tag, destination.ToString(), walk.Found, held));
            taggedReferrers.AddRange(DriftDetector.CompareReferrers(repository, tag, destination.ToString(), withOwnTag, held));
            if (walk.Unlisted is not null || walk.Capped)
            {
                // Referrers nobody could list are unknown: not missing, not in sync. Said with the source's reason.
                // Those past the walk's bound likewise: not checked, so reported as not listed, with the bound.
                var reasons = new List<string>(2);
                if (walk.Unlisted is { } unlisted)
                {
                    reasons.Add(unlisted.ToString());
                }

                if (walk.Capped)
                {
                    reasons.Add($"more than {ReferrerInventory.MaxReferrers} referrers below the image: those past the first {ReferrerInventory.MaxReferrers} were not checked");
                }

                entries.Add(new DriftEntry(repository, tag, destination.ToString(), digest, null, DriftStatus.ReferrersUnlisted)
                {
                    Reason = Redactor.Redact(Output.ErrorText.OneLine(string.Join("; ", reasons))),
                });
            }
        }

        return (entries, taggedReferrers);
    }
}
