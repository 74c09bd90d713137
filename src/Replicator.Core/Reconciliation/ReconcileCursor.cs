using Replicator.Core.Validation;

namespace Replicator.Core.Reconciliation;

/// <summary>
/// Where a reconcile pass resumes: at <see cref="Repository"/> (repositories are walked in ordinal name order),
/// after the source digest <see cref="AfterDigest"/> (a repository's digests are walked in ordinal order too; null:
/// from its start). Stored as text, <c>SETTINGS;REPOSITORY</c> or <c>SETTINGS;REPOSITORY@DIGEST</c>, where SETTINGS
/// is the <see cref="ReconcileSettings.Fingerprint"/> of the settings the pass was walking under (earlier versions
/// stored the position alone); <see cref="StartValue"/> means a new pass. Pure.
/// </summary>
public sealed record ReconcileCursor(string Repository, string? AfterDigest = null)
{
    /// <summary>The stored value of "start a new pass" (an SSM parameter cannot be empty).</summary>
    public const string StartValue = "-";

    /// <summary>Ends the settings' fingerprint in a stored value: a character no repository name or digest holds.</summary>
    public const char SettingsSeparator = ';';

    /// <summary>The position, <c>REPOSITORY</c> or <c>REPOSITORY@DIGEST</c>: what a log line names.</summary>
    public string Format() => AfterDigest is null ? Repository : $"{Repository}@{AfterDigest}";

    /// <summary>
    /// The stored value: the position after the fingerprint of <paramref name="settings"/>. At most 16 + 1 + 256 + 1 +
    /// 135 characters (a repository name and a sha512 digest at their longest), far inside the 4 KB of an SSM standard
    /// parameter (https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html).
    /// </summary>
    public string Format(ReconcileSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return $"{settings.Fingerprint}{SettingsSeparator}{Format()}";
    }

    /// <summary>Null for the start of a pass, or for a value that is not a cursor (then the pass starts over, which only costs time).</summary>
    public static ReconcileCursor? Parse(string? value) => Parse(value, out _);

    /// <summary>
    /// As <see cref="Parse(string?)"/>, with the fingerprint of the settings the cursor was saved under in
    /// <paramref name="settings"/>: null for the form earlier versions stored (the position alone), and whenever the
    /// result is null. A value with a settings part that is not a fingerprint is not a cursor.
    /// </summary>
    public static ReconcileCursor? Parse(string? value, out string? settings)
    {
        settings = null;
        if (string.IsNullOrWhiteSpace(value) || value.Trim() == StartValue)
        {
            return null;
        }

        var text = value.Trim();
        string? fingerprint = null;
        var separator = text.IndexOf(SettingsSeparator, StringComparison.Ordinal);
        if (separator >= 0)
        {
            fingerprint = text[..separator];
            if (!ReconcileSettings.IsFingerprint(fingerprint))
            {
                return null;
            }

            text = text[(separator + 1)..];
        }

        var at = text.IndexOf('@', StringComparison.Ordinal);
        var repository = at < 0 ? text : text[..at];
        var digest = at < 0 ? null : text[(at + 1)..];
        if (EcrNames.ValidateRepositoryName(repository) is not null || (digest is not null && EcrNames.ValidateDigest(digest) is not null))
        {
            return null;
        }

        settings = fingerprint;
        return new ReconcileCursor(repository, digest);
    }

    /// <summary>The repositories this pass still has to walk, in order: <paramref name="repositories"/> from the cursor's on.</summary>
    public static IReadOnlyList<string> Remaining(IEnumerable<string> repositories, ReconcileCursor? cursor)
    {
        ArgumentNullException.ThrowIfNull(repositories);
        var ordered = repositories.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        return cursor is null ? [.. ordered] : [.. ordered.Where(r => string.CompareOrdinal(r, cursor.Repository) >= 0)];
    }

    /// <summary>True when an earlier run of this pass already did <paramref name="digest"/> of <paramref name="repository"/>.</summary>
    public bool Done(string repository, string digest) =>
        repository == Repository && AfterDigest is not null && string.CompareOrdinal(digest, AfterDigest) <= 0;

    /// <summary>True when the run resumes inside <paramref name="repository"/>, after <see cref="AfterDigest"/>.</summary>
    public bool InsideOf(string repository) => repository == Repository && AfterDigest is not null;
}
