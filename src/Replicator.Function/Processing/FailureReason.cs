using Replicator.Core.Replication;
using Replicator.Function.DeadLetter;
using Replicator.Function.Observability;

namespace Replicator.Function.Processing;

/// <summary>
/// The reason of a failed replication as the dead-letter queue and the logs show it: every failed destination, each
/// with the destination repository when REPOSITORY_MAPPING renames it, permanent failures first; a failure of the
/// source (every destination carries the same one) is named once, as "source". Redacted, and within
/// <see cref="SqsDeadLetterQueue.MaxReasonLength"/>: when the full text is longer, the destinations that do not fit are
/// still named, with their error code only.
/// </summary>
public static class FailureReason
{
    public const string SourceLabel = "source";

    public static string Describe(ReplicationResult result, RepositoryMapping mapping, int maxLength = SqsDeadLetterQueue.MaxReasonLength)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(mapping);
        var mapped = mapping.TryMap(result.Source.RepositoryName, out var repository, out _) && repository != result.Source.RepositoryName
            ? repository
            : null;
        var failures = result.Destinations.Where(d => !d.Succeeded).OrderBy(d => d.Transient).ToArray();
        var parts = failures.Where(d => d.AtSource)
            .Select(d => (Where: SourceLabel, Code: d.ErrorCode ?? "Failed", d.Message))
            .Distinct()
            .Concat(failures.Where(d => !d.AtSource)
                .Select(d => (Where: mapped is null ? d.Destination.ToString() : $"{d.Destination} ({mapped})", Code: d.ErrorCode ?? "Failed", d.Message)))
            .Select(p => (Full: Redactor.Redact($"{p.Where}: {p.Code}: {p.Message}"), Short: Redactor.Redact($"{p.Where}: {p.Code}")))
            .ToArray();
        return Fit(parts, maxLength);
    }

    private static string Fit(IReadOnlyList<(string Full, string Short)> parts, int maxLength)
    {
        string Codes(int from) => from < parts.Count ? "; also failed: " + string.Join(", ", parts.Skip(from).Select(p => p.Short)) : string.Empty;

        for (var whole = parts.Count; whole >= 1; whole--)
        {
            var text = string.Join("; ", parts.Take(whole).Select(p => p.Full)) + Codes(whole);
            if (text.Length <= maxLength)
            {
                return text;
            }
        }

        // Even the first reason in full leaves no room for the others' codes: cut that reason, keep every code (a
        // destination left out of the reason would be missed when the cause is fixed and the message redriven).
        var codes = Codes(1);
        var first = SqsAttributeText.Clean(parts[0].Full, Math.Max(maxLength - codes.Length, MinimumFirstReason));
        return SqsAttributeText.Clean(first + codes, maxLength);
    }

    // What is kept of the first reason when the codes of many destinations take the rest: its destination, code and
    // the start of its message.
    private const int MinimumFirstReason = 80;
}
