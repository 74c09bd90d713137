using System.Text.RegularExpressions;
using Moq;
using Replicator.Core.Ecr;
using Replicator.Core.Reconciliation;
using Replicator.Core.Replication;
using Replicator.Core.Selection;

namespace Replicator.Core.Tests.Reconciliation;

/// <summary>
/// The tag filter of a reconcile walk, where a match past its timeout leaves the tag out and is reported once. The
/// timeout is thrown by the filter itself here, so no test waits on a clock.
/// </summary>
public sealed class GuardedTagFilterTests
{
    private const string A = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string B = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    private static DestinationListing Holding(ReplicationDestination destination, string tag, string digest) =>
        new(destination, RepositoryListing.From([new Core.Ecr.Model.ImageIdentifier { ImageTag = tag, ImageDigest = digest }]));

    /// <summary>
    /// The timeout counts elapsed time (https://learn.microsoft.com/dotnet/standard/base-types/best-practices-regex#use-time-out-values),
    /// so a tag two destinations hold would otherwise cost the walk the timeout twice, and be reported twice.
    /// </summary>
    [Fact]
    public void A_destination_tag_whose_match_timed_out_is_matched_once_however_many_destinations_hold_it()
    {
        var matches = new List<string>();
        var selection = new DriftSelection
        {
            ReplicateDeletes = true,
            IncludeTag = tag =>
            {
                matches.Add(tag);
                return tag == "old" ? throw new RegexMatchTimeoutException(tag, "(a+)+b", TagFilter.MatchTimeout) : true;
            },
        };
        var west = new ReplicationDestination("us-west-2");
        var europe = new ReplicationDestination("eu-west-1");
        var scanner = new DriftScanner(new Mock<IEcrClient>(MockBehavior.Strict).Object, new Mock<IDestinationClients>(MockBehavior.Strict).Object, [west, europe], RepositoryMapping.Identity, selection);
        var scan = new RepositoryScan("app", null, new HashSet<string>(StringComparer.Ordinal), new Dictionary<string, IReadOnlyList<string>>(), [Holding(west, "old", A), Holding(europe, "old", B)]);

        var deleted = scanner.DeletedTags(scan, out var timedOut);

        Assert.Empty(deleted);
        Assert.Equal(["old"], matches);
        Assert.Equal([new TagFilterTimeout("app", "old", TagFilter.MatchTimeout)], timedOut);
    }
}
