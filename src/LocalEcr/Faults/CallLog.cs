using System.Collections.Concurrent;

namespace LocalEcr;

/// <summary>
/// Counts the signed ECR calls per region and operation (counted before any injected fault, so a failed
/// call counts too). Blob downloads through download URLs count as operation "DownloadLayer" in the
/// region whose GetDownloadUrlForLayer issued the URL. STS calls count as "sts:ACTION", and the role of every
/// session STS issued is kept in order, so a test can tell which role a client assumed, not only that it did.
/// ECR requests whose signature is refused are not calls of an operation: they are counted apart, by error code
/// (<see cref="Refusals"/>).
/// </summary>
public sealed class CallLog
{
    public const string DownloadLayer = "DownloadLayer";

    private readonly ConcurrentDictionary<(string Region, string Operation), int> _counts = new();
    private readonly ConcurrentDictionary<string, int> _refusals = new();
    private readonly ConcurrentQueue<string> _assumedRoles = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    public int Count(string region, string operation) =>
        _counts.TryGetValue((region, operation), out var n) ? n : 0;

    /// <summary>Calls of an operation across all regions.</summary>
    public int Count(string operation) =>
        _counts.Where(kv => kv.Key.Operation == operation).Sum(kv => kv.Value);

    public int Total => _counts.Values.Sum();

    /// <summary>
    /// ECR requests refused before they were counted, because their signature (or its date) failed verification,
    /// by error code: <c>InvalidSignatureException</c> for a request signed more than 5 minutes from the server's clock.
    /// </summary>
    public int Refusals(string errorCode) => _refusals.TryGetValue(errorCode, out var n) ? n : 0;

    public IReadOnlyDictionary<(string Region, string Operation), int> Snapshot() =>
        new Dictionary<(string Region, string Operation), int>(_counts);

    /// <summary>The role ARN of every session AssumeRole issued, oldest first (refused calls are not listed).</summary>
    public IReadOnlyList<string> AssumedRoles => [.. _assumedRoles];

    /// <summary>
    /// Every signed ECR request with its body, oldest first, when <see cref="LocalEcrOptions.RecordRequests"/> is set
    /// (refused ones too: the body is kept before it is checked).
    /// </summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public void Reset()
    {
        _counts.Clear();
        _refusals.Clear();
        _assumedRoles.Clear();
        _requests.Clear();
    }

    internal void Record(string region, string operation) =>
        _counts.AddOrUpdate((region, operation), 1, static (_, n) => n + 1);

    internal void RecordRefusal(string errorCode) =>
        _refusals.AddOrUpdate(errorCode, 1, static (_, n) => n + 1);

    internal void RecordAssumedRole(string roleArn) => _assumedRoles.Enqueue(roleArn);

    internal void RecordRequest(string region, string operation, ReadOnlySpan<byte> body) =>
        _requests.Enqueue(new RecordedRequest(region, operation, body.ToArray()));
}
