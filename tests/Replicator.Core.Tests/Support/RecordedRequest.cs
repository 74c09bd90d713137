namespace Replicator.Core.Tests;

/// <summary>An HTTP request as the handler saw it: every header (request and content) and the exact body bytes.</summary>
internal sealed record RecordedRequest(HttpMethod Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Header(string name) =>
        Headers.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"header {name} was not sent");

    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);
}
