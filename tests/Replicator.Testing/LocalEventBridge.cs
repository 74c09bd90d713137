using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LocalEcr.Auth;
using Microsoft.AspNetCore.Http;

namespace Replicator.Testing;

/// <summary>
/// A PutEvents endpoint on loopback that is strict where it matters: every request must carry a valid SigV4
/// signature for service <c>events</c> (checked by LocalEcr's verifier, which shares no code with the replicator's
/// signer) with <c>content-type</c> and <c>x-amz-target</c> signed, target <c>AWSEvents.PutEvents</c>, content type
/// <c>application/x-amz-json-1.1</c>, and a body of botocore's PutEvents shape (1 to 10 entries, known members only,
/// <c>Detail</c> a JSON object). What it refuses is answered as AWS would, 400 with <c>__type</c>. Accepted requests
/// are recorded; <see cref="EntryError"/> and <see cref="CallError"/> script failures.
/// </summary>
public sealed class LocalEventBridge : IAsyncDisposable
{
    public const string AccessKeyId = "AKIDEVENTSLOCAL00001";
    public const string SecretAccessKey = "local-events-secret-key-0000000000000000";

    private static readonly HashSet<string> EntryMembers = ["Time", "Source", "Resources", "DetailType", "Detail", "EventBusName", "TraceHeader"];

    private readonly TimeProvider _clock;
    private readonly SigV4Verifier _verifier;
    private LoopbackApp _app = null!;
    private int _calls;

    private LocalEventBridge(TimeProvider clock)
    {
        _clock = clock;
        _verifier = new(AccessKeyId, SecretAccessKey, clock, "events");
    }

    public Uri Endpoint => _app.Endpoint;

    /// <summary>Each accepted call: the region of its credential scope and its body.</summary>
    public ConcurrentQueue<(string Region, JsonElement Body)> Accepted { get; } = new();

    /// <summary>Each refused request's error code (a bad signature, a bad shape).</summary>
    public ConcurrentQueue<string> Refused { get; } = new();

    /// <summary>(call number from 0, entry) to the entry's ErrorCode, or null to accept it.</summary>
    public Func<int, JsonElement, string?>? EntryError { get; set; }

    /// <summary>Call number from 0 to an HTTP status and error code failing the whole call, or null.</summary>
    public Func<int, (HttpStatusCode Status, string Code)?>? CallError { get; set; }

    /// <summary>Every entry of every accepted call, in order.</summary>
    public IEnumerable<JsonElement> Entries => Accepted.SelectMany(a => a.Body.GetProperty("Entries").EnumerateArray());

    /// <summary>Starts on loopback; <paramref name="clock"/> (default the system's) checks signatures and dates every answer.</summary>
    public static async Task<LocalEventBridge> StartAsync(TimeProvider? clock = null)
    {
        var server = new LocalEventBridge(clock ?? TimeProvider.System);
        server._app = await LoopbackApp.StartAsync(server.HandleAsync);
        return server;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        // Dated on the clock signatures are checked on, as AWS does: a client corrects its clock skew from it.
        context.Response.Headers.Date = _clock.GetUtcNow().ToString("r", CultureInfo.InvariantCulture);
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var request = context.Request;
        var verdict = _verifier.Verify(request.Method, request.Path.Value ?? "/", request.QueryString.Value ?? string.Empty, request.Headers, Convert.ToHexStringLower(SHA256.HashData(body)));
        if (!verdict.Valid)
        {
            await RefuseAsync(context, verdict.ErrorCode!, verdict.ErrorMessage!);
            return;
        }

        var signed = request.Headers.Authorization.ToString();
        if (!signed.Contains("content-type", StringComparison.Ordinal) || !signed.Contains("x-amz-target", StringComparison.Ordinal))
        {
            await RefuseAsync(context, "InvalidSignatureException", "content-type and x-amz-target must be signed");
            return;
        }

        if (request.Headers["X-Amz-Target"].ToString() != "AWSEvents.PutEvents" || request.ContentType != "application/x-amz-json-1.1")
        {
            await RefuseAsync(context, "UnknownOperationException", "only AWSEvents.PutEvents over application/x-amz-json-1.1");
            return;
        }

        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(body);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            await RefuseAsync(context, "SerializationException", "the body is not JSON");
            return;
        }

        if (ShapeProblem(root) is { } problem)
        {
            await RefuseAsync(context, "ValidationException", problem);
            return;
        }

        var call = Interlocked.Increment(ref _calls) - 1;
        if (CallError?.Invoke(call) is { } failure)
        {
            Refused.Enqueue(failure.Code);
            context.Response.StatusCode = (int)failure.Status;
            context.Response.ContentType = "application/x-amz-json-1.1";
            await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["__type"] = failure.Code, ["message"] = "scripted" }));
            return;
        }

        Accepted.Enqueue((verdict.Region!, root));
        var results = new StringBuilder("{\"Entries\":[");
        var failed = 0;
        var i = 0;
        foreach (var entry in root.GetProperty("Entries").EnumerateArray())
        {
            results.Append(i++ == 0 ? string.Empty : ",");
            if (EntryError?.Invoke(call, entry) is { } code)
            {
                failed++;
                results.Append($"{{\"ErrorCode\":\"{code}\",\"ErrorMessage\":\"scripted failure\"}}");
            }
            else
            {
                results.Append($"{{\"EventId\":\"{Guid.NewGuid()}\"}}");
            }
        }

        results.Append($"],\"FailedEntryCount\":{failed}}}");
        context.Response.ContentType = "application/x-amz-json-1.1";
        await context.Response.WriteAsync(results.ToString());
    }

    // botocore's EventBridge model: PutEventsRequest { Entries (required, 1..10), EndpointId }, entries of known members,
    // each a string but Time (a number, epoch seconds in AWS JSON 1.1) and Resources (strings).
    private static string? ShapeProblem(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("Entries", out var entries) || entries.ValueKind != JsonValueKind.Array)
        {
            return "Entries is required";
        }

        if (entries.GetArrayLength() is < 1 or > 10)
        {
            return "Entries must hold 1 to 10 entries";
        }

        foreach (var entry in entries.EnumerateArray())
        {
            foreach (var member in entry.EnumerateObject())
            {
                var ok = member.Name switch
                {
                    "Time" => member.Value.ValueKind == JsonValueKind.Number,
                    "Resources" => member.Value.ValueKind == JsonValueKind.Array && member.Value.EnumerateArray().All(r => r.ValueKind == JsonValueKind.String),
                    _ => EntryMembers.Contains(member.Name) && member.Value.ValueKind == JsonValueKind.String,
                };
                if (!ok)
                {
                    return $"entry member {member.Name} is unknown or of the wrong type";
                }
            }

            if (entry.TryGetProperty("Detail", out var detail))
            {
                try
                {
                    using var parsed = JsonDocument.Parse(detail.GetString()!);
                    if (parsed.RootElement.ValueKind != JsonValueKind.Object)
                    {
                        return "Detail must be a JSON object";
                    }
                }
                catch (JsonException)
                {
                    return "Detail is not valid JSON";
                }
            }
        }

        return null;
    }

    private async Task RefuseAsync(HttpContext context, string code, string message)
    {
        Refused.Enqueue(code);
        context.Response.StatusCode = 400;
        context.Response.ContentType = "application/x-amz-json-1.1";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["__type"] = code, ["message"] = message }));
    }
}
