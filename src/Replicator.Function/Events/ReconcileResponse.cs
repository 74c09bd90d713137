using System.Text.Json.Serialization;

namespace Replicator.Function.Events;

/// <summary>The answer to a Scheduled Event (an asynchronous invocation discards it; a test or <c>sam local invoke</c> reads it).</summary>
public sealed class ReconcileResponse
{
    [JsonPropertyName("repositories")]
    public int Repositories { get; init; }

    [JsonPropertyName("driftFound")]
    public int DriftFound { get; init; }

    [JsonPropertyName("driftEnqueued")]
    public int DriftEnqueued { get; init; }

    /// <summary>
    /// Repositories, or a repository's destinations, the run could not read, and tags TAG_FILTER could not decide in
    /// time (ReconcileFailures).
    /// </summary>
    [JsonPropertyName("failures")]
    public int Failures { get; init; }

    /// <summary>Events SQS refused or that could not be sent (ReconcileRefused).</summary>
    [JsonPropertyName("refused")]
    public int Refused { get; init; }

    /// <summary>Selected tags a destination holds at another digest where the tag is immutable (DriftConflicts).</summary>
    [JsonPropertyName("conflicts")]
    public int Conflicts { get; init; }

    [JsonPropertyName("completed")]
    public bool Completed { get; init; }

    /// <summary>Where the next run resumes; absent when the pass completed.</summary>
    [JsonPropertyName("cursor")]
    public string? Cursor { get; init; }
}
