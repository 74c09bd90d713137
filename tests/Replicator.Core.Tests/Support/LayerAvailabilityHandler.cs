using System.Text.Json.Nodes;

namespace Replicator.Core.Tests;

/// <summary>
/// Rewrites the <c>layerAvailability</c> the server answered for one digest in BatchCheckLayerAvailability, for the
/// values of the model's <c>LayerAvailability</c> enum LocalEcr never answers (UNAVAILABLE, ARCHIVED).
/// </summary>
internal sealed class LayerAvailabilityHandler(HttpMessageHandler inner, string digest, string availability) : DelegatingHandler(inner)
{
    private int _rewritten;

    public int Rewritten => Volatile.Read(ref _rewritten);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode || !request.Headers.TryGetValues("X-Amz-Target", out var targets)
            || targets.FirstOrDefault()?.EndsWith(".BatchCheckLayerAvailability", StringComparison.Ordinal) != true)
        {
            return response;
        }

        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!;
        foreach (var layer in body["layers"]?.AsArray() ?? [])
        {
            if ((string?)layer?["layerDigest"] == digest)
            {
                layer!["layerAvailability"] = availability;
                Interlocked.Increment(ref _rewritten);
            }
        }

        var mediaType = response.Content.Headers.ContentType?.MediaType ?? "application/x-amz-json-1.1";
        response.Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, mediaType);
        return response;
    }
}
