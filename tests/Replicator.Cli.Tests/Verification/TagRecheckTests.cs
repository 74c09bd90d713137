using Replicator.Cli.Verification;
using Replicator.Core.Ecr.Model;

namespace Replicator.Cli.Tests.Verification;

/// <summary>
/// <see cref="TagRecheck.WithReferrersOfDeletedOrMovedTags"/>: a referrer compared as its own selected tag (a tagged SBOM,
/// "sha256:s" below "v1" at "sha256:1") whose tag is found deleted in the source during the check is compared as a
/// referrer, from the source's listing made again, where the source still holds it.
/// </summary>
public sealed class TagRecheckTests
{
    private const string West = "us-west-2";
    private const string Europe = "eu-west-1";

    private static DriftEntry Tag(string tag, string digest, DriftStatus status, string destination = West) =>
        new("app", tag, destination, digest, status == DriftStatus.InSync ? digest : null, status);

    private static DriftEntry Referrer(string digest, DriftStatus status, string destination = West, string subject = "sha256:1") =>
        new("app", "v1", destination, digest, status == DriftStatus.InSync ? digest : null, status) { SubjectDigest = subject, ArtifactType = "application/spdx+json" };

    private static ImageDetail Held(string digest, string? status = null, params string[] tags) =>
        new() { ImageDigest = digest, ImageTags = tags.Length == 0 ? null : [.. tags], ImageStatus = status };

    [Fact]
    public void A_referrer_whose_tag_was_deleted_during_the_check_follows_its_tag_as_compared()
    {
        IReadOnlyList<DriftEntry> entries = [Tag("v1", "sha256:1", DriftStatus.InSync), Tag("v1-sbom", "sha256:s", DriftStatus.DeletedDuringCheck), Tag("v2", "sha256:2", DriftStatus.InSync)];
        var missing = Referrer("sha256:s", DriftStatus.Missing);

        var settled = TagRecheck.WithReferrersOfDeletedOrMovedTags(entries, [missing], [Held("sha256:1", null, "v1"), Held("sha256:s", "ACTIVE", "keep-sbom"), Held("sha256:2", null, "v2")]);

        Assert.Equal([entries[0], entries[1], missing, entries[2]], settled);
        var counts = VerifyCounts.Of(settled);
        Assert.False(counts.InSync);
        Assert.Equal((1, 1, 1), (counts.Missing, counts.Referrers, counts.DeletedDuringCheck));

        // Held in the destination (by digest, whatever its tags there): in sync, and the report with it.
        var inSync = Referrer("sha256:s", DriftStatus.InSync);
        Assert.True(VerifyCounts.Of(TagRecheck.WithReferrersOfDeletedOrMovedTags(entries, [inSync], [Held("sha256:1"), Held("sha256:s")])).InSync);
        Assert.Contains(inSync, TagRecheck.WithReferrersOfDeletedOrMovedTags(entries, [inSync], [Held("sha256:1"), Held("sha256:s")]));
    }

    [Fact]
    public void A_referrer_whose_tag_moved_during_the_check_follows_its_tag_as_compared()
    {
        // "v1-sbom" moved in the source from the SBOM to "sha256:x", and the destination followed: in sync at "sha256:x",
        // listed at the SBOM. The SBOM, untagged now, is still held, active: compared as a referrer after the tag's row.
        var moved = Tag("v1-sbom", "sha256:x", DriftStatus.InSync) with { ListedDigest = "sha256:s" };
        IReadOnlyList<DriftEntry> entries = [Tag("v1", "sha256:1", DriftStatus.InSync), moved, Tag("v2", "sha256:2", DriftStatus.InSync)];
        var missing = Referrer("sha256:s", DriftStatus.Missing);
        IReadOnlyList<ImageDetail> now = [Held("sha256:1", null, "v1"), Held("sha256:s"), Held("sha256:x", null, "v1-sbom"), Held("sha256:2", null, "v2")];

        var settled = TagRecheck.WithReferrersOfDeletedOrMovedTags(entries, [missing], now);

        Assert.Equal([entries[0], moved, missing, entries[2]], settled);
        Assert.Equal((1, 1, 0), (VerifyCounts.Of(settled).Missing, VerifyCounts.Of(settled).Referrers, VerifyCounts.Of(settled).DeletedDuringCheck));

        // A tag in sync where it was listed leaves nothing, though the same referrer was held back for it.
        IReadOnlyList<DriftEntry> unmoved = [entries[0], Tag("v1-sbom", "sha256:s", DriftStatus.InSync), entries[2]];
        Assert.Equal(unmoved, TagRecheck.WithReferrersOfDeletedOrMovedTags(unmoved, [missing], now));
    }

    [Fact]
    public void Only_a_referrer_the_source_still_holds_active_with_its_subject_is_compared()
    {
        // Four tagged referrers, each tag deleted during the check: "sha256:a" is still held, active; "sha256:b" is gone
        // (deleted with its last tag); "sha256:c" is archived (no walk lists it); "sha256:d" refers to "sha256:9", gone.
        IReadOnlyList<DriftEntry> entries =
        [
            Tag("a", "sha256:a", DriftStatus.DeletedDuringCheck),
            Tag("b", "sha256:b", DriftStatus.DeletedDuringCheck),
            Tag("c", "sha256:c", DriftStatus.DeletedDuringCheck),
            Tag("d", "sha256:d", DriftStatus.DeletedDuringCheck),
        ];
        IReadOnlyList<DriftEntry> referrers =
        [
            Referrer("sha256:a", DriftStatus.Missing),
            Referrer("sha256:b", DriftStatus.Missing),
            Referrer("sha256:c", DriftStatus.Missing),
            Referrer("sha256:d", DriftStatus.Missing, subject: "sha256:9"),
        ];

        var settled = TagRecheck.WithReferrersOfDeletedOrMovedTags(entries, referrers, [Held("sha256:1"), Held("sha256:a"), Held("sha256:c", "ARCHIVED"), Held("sha256:d")]);

        Assert.Equal([.. entries.Take(1), referrers[0], .. entries.Skip(1)], settled);
    }

    [Fact]
    public void A_referrer_is_compared_only_in_a_destination_where_no_tag_still_compares_it_and_once_there()
    {
        // In the west its two selected tags were both deleted during the check: one referrer entry, after the first.
        // In Europe one of them still names it (the delete not replicated there yet): compared as that tag, as before.
        // And a tag missing in the west, held still in the source, compares its referrer "sha256:m" as a tag: nothing more.
        IReadOnlyList<DriftEntry> entries =
        [
            Tag("v1-sbom", "sha256:s", DriftStatus.DeletedDuringCheck),
            Tag("sbom", "sha256:s", DriftStatus.DeletedDuringCheck),
            Tag("v1-sbom", "sha256:s", DriftStatus.DeletedDuringCheck, Europe),
            Tag("sbom", "sha256:s", DriftStatus.InSync, Europe),
            Tag("m", "sha256:m", DriftStatus.Missing),
        ];
        var west = Referrer("sha256:s", DriftStatus.Missing);
        IReadOnlyList<DriftEntry> referrers = [west, Referrer("sha256:s", DriftStatus.InSync, Europe), Referrer("sha256:m", DriftStatus.Missing)];

        var settled = TagRecheck.WithReferrersOfDeletedOrMovedTags(entries, referrers, [Held("sha256:1"), Held("sha256:s", null, "keep"), Held("sha256:m", null, "m")]);

        Assert.Equal([entries[0], west, .. entries.Skip(1)], settled);
    }
}
