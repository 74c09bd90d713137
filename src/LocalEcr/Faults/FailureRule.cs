namespace LocalEcr.Faults;

/// <summary>Fail the next <see cref="Remaining"/> calls of an operation (optionally in one region).</summary>
internal sealed class FailureRule
{
    public required string Operation { get; init; }

    public string? Region { get; init; }

    /// <summary>Null or empty: an empty body (as a 5xx from a load balancer looks).</summary>
    public string? ErrorCode { get; init; }

    public string? Message { get; init; }

    public int StatusCode { get; init; } = 400;

    public int Remaining { get; set; }
}
