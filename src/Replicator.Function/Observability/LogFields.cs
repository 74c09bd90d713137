namespace Replicator.Function.Observability;

/// <summary>The structured fields of a log line; null fields are left out.</summary>
public sealed record LogFields
{
    public string? RequestId { get; init; }

    public string? MessageId { get; init; }

    public string? Repository { get; init; }

    public string? Tag { get; init; }

    public string? Digest { get; init; }

    public string? DestinationRegion { get; init; }

    public string? Outcome { get; init; }

    public int? LayersCopied { get; init; }

    public int? LayersSkipped { get; init; }

    public long? Bytes { get; init; }

    public long? DurationMs { get; init; }

    public string? ErrorType { get; init; }

    /// <summary>
    /// Every field but <see cref="RequestId"/> (which each format places on its own), by its name in the log and in the
    /// order written: the one list both formats write (<see cref="FunctionLogger"/>), so a field added here reaches the
    /// JSON and the text lines alike, and the documented schema (docs/deploy.md) has one place to follow.
    /// </summary>
    internal IEnumerable<(string Name, string? Text, long? Number)> Named()
    {
        yield return ("messageId", MessageId, null);
        yield return ("repository", Repository, null);
        yield return ("tag", Tag, null);
        yield return ("digest", Digest, null);
        yield return ("destinationRegion", DestinationRegion, null);
        yield return ("outcome", Outcome, null);
        yield return ("layersCopied", null, LayersCopied);
        yield return ("layersSkipped", null, LayersSkipped);
        yield return ("bytes", null, Bytes);
        yield return ("durationMs", null, DurationMs);
        yield return ("errorType", ErrorType, null);
    }
}
