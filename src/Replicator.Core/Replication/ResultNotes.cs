namespace Replicator.Core.Replication;

/// <summary>The notes a destination's result carries (referrers left behind, settings not applied), as one message.</summary>
internal static class ResultNotes
{
    /// <summary>The notes given, in their order, joined with "; "; null when there is none.</summary>
    public static string? Join(params string?[] notes) =>
        notes.OfType<string>().ToArray() is { Length: > 0 } given ? string.Join("; ", given) : null;
}
