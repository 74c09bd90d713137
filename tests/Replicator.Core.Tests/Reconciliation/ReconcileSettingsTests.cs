using Replicator.Core.Reconciliation;
using Replicator.Core.Replication;
using Replicator.Core.Selection;

namespace Replicator.Core.Tests.Reconciliation;

public sealed class ReconcileSettingsTests
{
    private static ReconcileSettings Of(
        string destinations = "us-west-2,222222222222:eu-west-1",
        string filter = "team/*,!team/secret",
        string? tagFilter = "v[0-9]+",
        string? mapping = "team/=mirror/team/",
        bool replicateDeletes = false) =>
        ReconcileSettings.Of(
            ReplicationDestination.ParseAll(destinations.Split(',')),
            RepositoryFilter.Parse(filter),
            tagFilter,
            RepositoryMapping.Parse(mapping),
            replicateDeletes);

    public static TheoryData<string, ReconcileSettings> Changed => new()
    {
        { "a destination region added", Of(destinations: "us-west-2,222222222222:eu-west-1,ap-south-1") },
        { "a destination region removed", Of(destinations: "us-west-2") },
        { "a destination moved to another account", Of(destinations: "us-west-2,333333333333:eu-west-1") },
        { "a destination of this account moved to another account", Of(destinations: "111111111111:us-west-2,222222222222:eu-west-1") },
        { "a pattern added to the repository filter", Of(filter: "team/*,base/*,!team/secret") },
        { "an exclusion removed from the repository filter", Of(filter: "team/*") },
        { "an exclusion turned into an include", Of(filter: "team/*,team/secret") },
        { "another tag filter", Of(tagFilter: "v[0-9]+(-rc)?") },
        { "the tag filter removed", Of(tagFilter: null) },
        { "another mapping", Of(mapping: "team/=backup/team/") },
        { "the mapping removed", Of(mapping: null) },
        { "deletes replicated", Of(replicateDeletes: true) },
    };

    [Theory]
    [MemberData(nameof(Changed))]
    public void Each_setting_that_decides_drift_changes_the_fingerprint(string change, ReconcileSettings changed)
    {
        Assert.True(Of().Fingerprint != changed.Fingerprint, $"{change} left the fingerprint unchanged");
    }

    [Fact]
    public void The_order_of_destinations_patterns_and_rules_does_not_change_the_fingerprint()
    {
        var settings = Of(destinations: "us-west-2,222222222222:eu-west-1", filter: "team/*,base/*,!team/secret,!base/old", mapping: "team/=mirror/team/,base/=mirror/base/");
        var reordered = Of(destinations: "222222222222:eu-west-1,us-west-2", filter: "!base/old,base/*,!team/secret,team/*", mapping: "base/=mirror/base/,team/=mirror/team/");

        Assert.Equal(settings.Fingerprint, reordered.Fingerprint);
    }

    [Fact]
    public void A_fingerprint_is_sixteen_lowercase_hex_digits_and_stable()
    {
        var fingerprint = Of().Fingerprint;

        Assert.Matches("^[0-9a-f]{16}$", fingerprint);
        Assert.True(ReconcileSettings.IsFingerprint(fingerprint));
        Assert.Equal(fingerprint, Of().Fingerprint);
        Assert.NotEqual(ReconcileSettings.Unnamed.Fingerprint, fingerprint);
        Assert.False(ReconcileSettings.IsFingerprint(fingerprint.ToUpperInvariant()));
        Assert.False(ReconcileSettings.IsFingerprint(fingerprint[1..]));
    }
}
