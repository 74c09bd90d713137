using System.Text.Json;
using LocalEcr.Json;
using LocalEcr.Storage;

namespace LocalEcr.Api;

/// <summary>Resolves an imageId ({imageDigest} and/or {imageTag}) in a repository, as ECR's batch operations do.</summary>
internal static class ImageLookup
{
    public sealed record Result(ImageRecord? Image, string? Digest, string? Tag, string? FailureCode, string? FailureReason);

    public static Result Resolve(Repository repository, JsonElement imageId)
    {
        var digest = imageId.OptionalString("imageDigest");
        var tag = imageId.OptionalString("imageTag");
        if (digest is null && tag is null)
        {
            return new Result(null, null, null, "MissingDigestAndTag", "Requested image not found");
        }

        if (digest is not null && !Digests.IsWellFormed(digest))
        {
            return new Result(null, digest, tag, "InvalidImageDigest", "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'");
        }

        if (tag is not null && tag.Length is 0 or > 300)
        {
            return new Result(null, digest, tag, "InvalidImageTag", "Invalid request parameters: image tag should have length between 1 and 300");
        }

        string? resolved = digest;
        if (tag is not null)
        {
            if (!repository.Tags.TryGetValue(tag, out var byTag))
            {
                return new Result(null, digest, tag, "ImageNotFound", "Requested image not found");
            }

            // Ordinal, as the lookup by digest alone: images are stored under their lower-case digest.
            if (digest is not null && !string.Equals(digest, byTag, StringComparison.Ordinal))
            {
                return new Result(null, digest, tag, "ImageTagDoesNotMatchDigest", "Invalid request parameters: given tag does not map to the given digest");
            }

            resolved = byTag;
        }

        return repository.Images.TryGetValue(resolved!, out var image)
            ? new Result(image, image.Digest, tag, null, null)
            : new Result(null, digest, tag, "ImageNotFound", "Requested image not found");
    }

    public static void WriteFailure(Utf8JsonWriter w, string? digest, string? tag, string code, string reason)
    {
        w.WriteStartObject();
        w.WriteImageId("imageId", digest, tag);
        w.WriteString("failureCode", code);
        w.WriteString("failureReason", reason);
        w.WriteEndObject();
    }

    /// <summary>ECR reports an index's size as the largest of its children.</summary>
    public static long SizeOf(Repository repository, ImageRecord image) =>
        image.Info.IsIndex
            ? image.Info.Children.Select(c => repository.Images.TryGetValue(c, out var child) ? child.Info.DeclaredSize : 0).DefaultIfEmpty(0).Max()
            : image.Info.DeclaredSize;
}
