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
}
