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

        // A tag PutImage would refuse for its characters can name no image: a malformed id, reported as the digest's
        // is, not as an image that happens to be missing. The reason's wording is LocalEcr's; only the code is ECR's
        // (the model's ImageFailureCode InvalidImageTag).
        if (tag is not null && !Validate.IsWellFormedTag(tag))
        {
            return new Result(null, digest, tag, "InvalidImageTag", "Invalid request parameters: image tag should satisfy the regex '[a-zA-Z0-9-_.]+'");
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

    /// <summary>
    /// DescribeImages refuses the whole call for a malformed imageId, where the batch operations report a failure:
    /// ECR answers "Invalid parameter at 'imageDigest' failed to satisfy constraint: 'must satisfy regular expression
    /// '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+''" (https://github.com/pulumi/pulumi-aws/issues/2466) and for a tag "Invalid
    /// parameter at 'imageTag' failed to satisfy constraint: 'must satisfy regular expression ..."
    /// (https://github.com/datawire/forge/issues/99), both InvalidParameterException, never ImageNotFoundException.
    /// An id naming neither a digest nor a tag is refused the same way.
    /// </summary>
    public static void RequireWellFormed(JsonElement imageId)
    {
        var digest = imageId.OptionalString("imageDigest");

        // An id with neither member names no image at all (the batch operations' MissingDigestAndTag, the model's
        // ImageFailureCode): malformed as a digest that breaks the pattern is, not an image that happens to be absent.
        if (digest is null && imageId.OptionalString("imageTag") is null)
        {
            throw EcrException.InvalidParameter("Invalid parameter at 'imageIds' failed to satisfy constraint: 'an image id must name an imageDigest or an imageTag'");
        }

        if (digest is not null && !Digests.IsWellFormed(digest))
        {
            throw EcrException.InvalidParameter("Invalid parameter at 'imageDigest' failed to satisfy constraint: 'must satisfy regular expression '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+''");
        }

        Validate.Tag(imageId.OptionalString("imageTag"));
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
