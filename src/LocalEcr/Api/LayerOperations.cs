using System.Text.Json;
using LocalEcr.Json;
using LocalEcr.Storage;

namespace LocalEcr.Api;

/// <summary>BatchCheckLayerAvailability and GetDownloadUrlForLayer.</summary>
internal static class LayerOperations
{
    public static Task BatchCheckLayerAvailability(EcrCall call, Utf8JsonWriter w)
    {
        var name = call.RepositoryName();
        var digests = call.Body.StringArray("layerDigests");
        Validate.Count(digests.Count, "layerDigests", 1, 100);
        lock (call.State.Sync)
        {
            var repository = call.FindRepository(name);
            var failures = new List<(string Digest, string Code, string Reason)>();
            w.WriteStartArray("layers");
            foreach (var digest in digests)
            {
                if (!Digests.IsWellFormed(digest))
                {
                    failures.Add((digest, "InvalidLayerDigest", "Invalid layer digest"));
                }
                else if (!repository.Layers.TryGetValue(digest, out var size))
                {
                    failures.Add((digest, "MissingLayerDigest", "Layer digest not found"));
                }
                else
                {
                    w.WriteStartObject();
                    w.WriteString("layerDigest", digest);
                    w.WriteString("layerAvailability", "AVAILABLE");
                    w.WriteNumber("layerSize", size);
                    w.WriteString("mediaType", "application/vnd.docker.container.image.rootfs.diff+x-gtar");
                    w.WriteEndObject();
                }
            }

            w.WriteEndArray();
            w.WriteStartArray("failures");
            foreach (var (digest, code, reason) in failures)
            {
                w.WriteStartObject();
                w.WriteString("layerDigest", digest);
                w.WriteString("failureCode", code);
                w.WriteString("failureReason", reason);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        return Task.CompletedTask;
    }

    public static Task GetDownloadUrlForLayer(EcrCall call, Utf8JsonWriter w)
    {
        var name = call.RepositoryName();
        var digest = call.Body.RequiredString("layerDigest");
        if (!Digests.IsWellFormed(digest))
        {
            throw EcrException.InvalidParameter("Invalid parameter at 'layerDigest' failed to satisfy constraint: 'must satisfy regular expression '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+''");
        }

        lock (call.State.Sync)
        {
            var repository = call.FindRepository(name);
            if (!repository.Layers.ContainsKey(digest))
            {
                throw new EcrException("LayersNotFoundException", $"The image layer '{digest}' does not exist in the repository with name '{name}' in the registry with id '{call.RegistryId}'");
            }

            // The model: "The specified layer is not available because it is not associated with an image.
            // Unassociated image layers may be cleaned up at any time." (LayerInaccessibleException). A foreign layer
            // the repository holds is associated with the images naming it: ECR serves the licensed Windows layers
            // pushed with allow-nondistributable-artifacts, so nodes pull them through ECR alone
            // (https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html, "Windows images considerations").
            var images = repository.Images.Values.Where(i => i.Info.Blobs.Contains(digest) || i.Info.ForeignLayers.Contains(digest)).ToList();
            if (images.Count == 0)
            {
                throw new EcrException("LayerInaccessibleException", $"The image layer '{digest}' in the repository with name '{name}' in the registry with id '{call.RegistryId}' is not associated with an image");
            }

            // An archived image "cannot be pulled" (https://docs.aws.amazon.com/AmazonECR/latest/userguide/archive-image.html),
            // its layers included; which error ECR gives for such a layer is not documented, and the model's
            // LayerInaccessibleException ("not available") is the one a client must already handle here. A layer an
            // active image also holds stays available.
            if (!images.Any(i => i.IsActive))
            {
                throw new EcrException("LayerInaccessibleException", $"The image layer '{digest}' in the repository with name '{name}' in the registry with id '{call.RegistryId}' belongs only to archived images and is not available until one is restored");
            }
        }

        var token = call.Server.Tokens.Issue(digest, call.Region, call.Server.Options.DownloadUrlLifetime);
        w.WriteString("downloadUrl", new Uri(DownloadBase(call), "_blobs/" + token).ToString());
        w.WriteString("layerDigest", digest);
        return Task.CompletedTask;
    }

    // Bound to a wildcard address (0.0.0.0, ::), the base address names no reachable host: answer with
    // the host the client reached us by instead.
    private static Uri DownloadBase(EcrCall call)
    {
        var host = call.Server.BaseAddress.Host.Trim('[', ']');
        var wildcard = host is "0.0.0.0" or "::";
        return wildcard && call.RequestHost is { Length: > 0 } requestHost && Uri.TryCreate($"http://{requestHost}/", UriKind.Absolute, out var reached)
            ? reached
            : call.Server.BaseAddress;
    }
}
