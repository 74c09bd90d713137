using Replicator.Cli.Inventory;
using Replicator.Cli.Selection;
using Replicator.Cli.Verification;

namespace Replicator.Cli.Tests.Verification;

public sealed class DriftDetectorTests
{
    private static SelectedImage Image(string tag, string digest) => new("app", tag, digest, null, null);

    [Fact]
    public void Classifies_each_tag()
    {
        IReadOnlyList<SelectedImage> source = [Image("same", "sha256:1"), Image("moved", "sha256:2"), Image("gone", "sha256:3")];
        IReadOnlyList<SelectedImage> destination = [Image("same", "sha256:1"), Image("moved", "sha256:9"), Image("stray", "sha256:4"), Image("old", "sha256:5")];
        var sourceTags = new HashSet<string>(["same", "moved", "gone", "old"]);

        var entries = DriftDetector.Compare("app", "us-west-2", source, sourceTags, destination);

        Assert.Equal(
            [("same", DriftStatus.InSync), ("moved", DriftStatus.Different), ("gone", DriftStatus.Missing), ("stray", DriftStatus.Extra)],
            entries.Select(e => (e.Tag, e.Status)));
        Assert.Equal("sha256:9", entries[1].DestinationDigest);
        Assert.Null(entries[2].DestinationDigest);
        Assert.Null(entries[3].SourceDigest);
    }

    [Fact]
    public void An_archived_image_is_held_and_an_archived_source_image_without_a_replica_is_archived_not_replicated()
    {
        IReadOnlyList<SelectedImage> source =
        [
            Image("kept", "sha256:1") with { Status = "ARCHIVED" },
            Image("never", "sha256:2") with { Status = "ARCHIVED" },
            Image("cold", "sha256:3"),
            Image("thawing", "sha256:4") with { Status = "ACTIVE" },
            Image("restoring", "sha256:5") with { Status = "ACTIVATING" },
        ];
        IReadOnlyList<SelectedImage> destination = [Image("kept", "sha256:1"), Image("cold", "sha256:3") with { Status = "ARCHIVED" }, Image("thawing", "sha256:4")];

        var entries = DriftDetector.Compare("app", "us-west-2", source, new HashSet<string>(["kept", "never", "cold", "thawing", "restoring"]), destination);

        Assert.Equal(
            [
                ("kept", DriftStatus.InSync, "ARCHIVED", null),
                ("never", DriftStatus.ArchivedNotReplicated, "ARCHIVED", null),
                ("cold", DriftStatus.InSync, null, "ARCHIVED"),
                ("thawing", DriftStatus.InSync, null, null),
                ("restoring", DriftStatus.ArchivedNotReplicated, "ACTIVATING", null),
            ],
            entries.Select(e => (e.Tag, e.Status, e.SourceImageStatus, e.DestinationImageStatus)));
        Assert.Equal(("sha256:2", null), (entries[1].SourceDigest, entries[1].DestinationDigest));
    }

    [Fact]
    public void An_archived_source_image_in_a_destination_without_the_repository_is_archived_not_replicated()
    {
        var entries = DriftDetector.Compare("app", "eu-west-1", [Image("v1", "sha256:1") with { Status = "ARCHIVED" }], new HashSet<string>(["v1"]), null);

        Assert.Equal(DriftStatus.ArchivedNotReplicated, Assert.Single(entries).Status);
    }

    [Fact]
    public void Archived_not_replicated_is_counted_and_is_not_drift()
    {
        var report = new VerifyReport("us-east-1", ["us-west-2"],
        [
            new("app", "v1", "us-west-2", "sha256:1", "sha256:1", DriftStatus.InSync),
            new("app", "cold", "us-west-2", "sha256:2", null, DriftStatus.ArchivedNotReplicated) { SourceImageStatus = "ARCHIVED" },
        ]);

        Assert.True(report.InSync);
        Assert.Equal((1, 0), (report.ArchivedNotReplicated, report.Missing));
        Assert.False((report with { Entries = [.. report.Entries, new("app", "v2", "us-west-2", "sha256:3", null, DriftStatus.Missing)] }).InSync);
    }

    [Fact]
    public void A_missing_repository_makes_every_expected_tag_missing()
    {
        var entries = DriftDetector.Compare("app", "eu-west-1", [Image("v1", "sha256:1")], new HashSet<string>(["v1"]), null);

        Assert.Equal(DriftStatus.Missing, Assert.Single(entries).Status);
    }

    [Fact]
    public void The_report_counts_and_is_in_sync_only_without_drift()
    {
        var report = new VerifyReport("us-east-1", ["us-west-2"], [new("app", "v1", "us-west-2", "sha256:1", "sha256:1", DriftStatus.InSync)]);
        var drifted = report with { Entries = [.. report.Entries, new("app", "v2", "us-west-2", null, "sha256:2", DriftStatus.Extra)] };

        Assert.True(report.InSync);
        Assert.False(drifted.InSync);
        Assert.Equal(1, drifted.Extra);
    }

    [Fact]
    public void A_referrer_is_in_sync_only_when_the_destination_lists_it_under_the_same_subject()
    {
        IReadOnlyList<ReferrerEntry> referrers = [new("sha256:1", "sha256:a", "application/spdx+json"), new("sha256:a", "sha256:b", null), new("sha256:1", "sha256:c", null)];
        var there = new Dictionary<string, IReadOnlySet<string>>
        {
            ["sha256:1"] = new HashSet<string>(["sha256:a", "sha256:b"]),
            ["sha256:a"] = new HashSet<string>(["sha256:b"]),
        };

        var entries = DriftDetector.CompareReferrers("app", "v1", "us-west-2", referrers, there);

        // sha256:b is held under sha256:1 too, but what counts is its own subject; sha256:c is not there at all.
        Assert.Equal([("sha256:a", DriftStatus.InSync), ("sha256:b", DriftStatus.InSync), ("sha256:c", DriftStatus.Missing)], entries.Select(e => (e.SourceDigest!, e.Status)));
        Assert.All(entries, e => Assert.True(e.IsReferrer));
        Assert.Equal("application/spdx+json", entries[0].ArtifactType);
        Assert.Equal("sha256:a", entries[1].SubjectDigest);
        Assert.Null(entries[2].DestinationDigest);
        Assert.Equal(DriftStatus.Missing, Assert.Single(DriftDetector.CompareReferrers("app", "v1", "eu-west-1", [referrers[0]], new Dictionary<string, IReadOnlySet<string>>())).Status);
    }
}
