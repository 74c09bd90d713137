using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Replicator.Core.Partitions;
using Replicator.Core.Replication;
using Replicator.Core.Selection;

namespace Replicator.Core.Reconciliation;

/// <summary>
/// The settings that decide what a reconcile pass finds as drift, as the short <see cref="Fingerprint"/> saved with the
/// cursor (<see cref="ReconcileCursor.Format(ReconcileSettings)"/>): the destinations (each with its account and
/// partition), the repository filter, the tag filter, the repository mapping and whether deletes are replicated. A run
/// that finds a cursor saved under another fingerprint starts a new pass: the repositories before the cursor were
/// compared under the old settings, and resuming would leave them so until the pass after. Nothing secret is part of
/// it, and nothing that only says how a destination is written (role names, the external id, credential parameters):
/// those do not change what a destination should hold. Pure.
/// </summary>
public sealed record ReconcileSettings
{
    /// <summary>
    /// Hex digits kept of the SHA-256: 64 bits. The fingerprint only has to tell one configuration of a stack from the
    /// next; a collision would cost one pass resumed under changed settings, as before fingerprints existed.
    /// </summary>
    public const int FingerprintLength = 16;

    private ReconcileSettings(string fingerprint) => Fingerprint = fingerprint;

    /// <summary>Settings no caller named (a reconciler built without them): every run is taken to have the same ones.</summary>
    public static ReconcileSettings Unnamed { get; } = new(Hash(string.Empty));

    /// <summary><see cref="FingerprintLength"/> lowercase hex digits of the SHA-256 of the settings' canonical text.</summary>
    public string Fingerprint { get; }

    /// <summary>
    /// The fingerprint of these settings. The destinations' order, the filter's pattern order and the mapping's rule
    /// order do not change what a pass finds, so none changes the fingerprint.
    /// </summary>
    /// <param name="tagFilter">The tag filter's pattern; null when every tag is selected.</param>
    public static ReconcileSettings Of(IEnumerable<ReplicationDestination> destinations, RepositoryFilter repositoryFilter, string? tagFilter, RepositoryMapping mapping, bool replicateDeletes)
    {
        ArgumentNullException.ThrowIfNull(destinations);
        ArgumentNullException.ThrowIfNull(repositoryFilter);
        ArgumentNullException.ThrowIfNull(mapping);

        // One line a setting, each value with its length, so that no value can run into the next.
        var text = new StringBuilder();
        Append(text, "destinations", string.Join(',', destinations.Select(d => $"{AwsPartitions.IdOf(d.Region)}/{d}").Distinct().Order(StringComparer.Ordinal)));
        Append(text, "repository-filter", string.Join(
            ',',
            repositoryFilter.Includes.Select(p => p.Text).Order(StringComparer.Ordinal)
                .Concat(repositoryFilter.Excludes.Select(p => RepositoryFilter.ExclusionMark + p.Text).Order(StringComparer.Ordinal))));
        Append(text, "tag-filter", tagFilter);
        Append(text, "repository-mapping", string.Join(',', mapping.Rules.Select(r => $"{r.Source}={r.Destination}").Order(StringComparer.Ordinal)));
        Append(text, "replicate-deletes", replicateDeletes ? "true" : "false");
        return new ReconcileSettings(Hash(text.ToString()));
    }

    /// <summary>True when <paramref name="value"/> has the form of a <see cref="Fingerprint"/>.</summary>
    public static bool IsFingerprint(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Length == FingerprintLength && value.All(c => char.IsAsciiHexDigitLower(c) || char.IsAsciiDigit(c));
    }

    private static void Append(StringBuilder text, string name, string? value) =>
        text.Append(name).Append(value is null ? "(none)" : string.Create(CultureInfo.InvariantCulture, $"={value.Length}:{value}")).Append('\n');

    private static string Hash(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..FingerprintLength];
}
