using System.Text.Json;
using LocalEcr.Json;
using LocalEcr.Storage;

namespace LocalEcr.Api;

/// <summary>
/// UpdateImageStorageClass: archive an image (it stays listed and described, with <c>imageStatus</c> ARCHIVED, but
/// cannot be pulled) or restore it. Real ECR restores through ACTIVATING over minutes; LocalEcr restores at once.
/// https://docs.aws.amazon.com/AmazonECR/latest/userguide/archive-image.html
/// </summary>
internal static class StorageClassOperations
{
    public static Task UpdateImageStorageClass(EcrCall call, Utf8JsonWriter w)
    {
        var name = call.RepositoryName();
        var imageId = call.Body.OptionalObject("imageId")
            ?? throw EcrException.InvalidParameter("1 validation error detected: Value null at 'imageId' failed to satisfy constraint: Member must not be null");
        var target = call.Body.OptionalString("targetStorageClass") switch
        {
            "ARCHIVE" => ImageStatuses.Archived,
            "STANDARD" => ImageStatuses.Active,
            _ => throw EcrException.InvalidParameter("Invalid parameter at 'targetStorageClass' failed to satisfy constraint: 'Member must satisfy enum value set: [STANDARD, ARCHIVE]'"),
        };
        lock (call.State.Sync)
        {
            var repository = call.FindRepository(name);
            var found = ImageLookup.Resolve(repository, imageId);
            if (found.Image is null)
            {
                throw new EcrException("ImageNotFoundException", $"The image with imageId {{imageDigest:'{found.Digest ?? "null"}', imageTag:'{found.Tag ?? "null"}'}} does not exist within the repository with name '{name}' in the registry with id '{call.RegistryId}'");
            }

            found.Image.Status = target;
            w.WriteString("registryId", call.RegistryId);
            w.WriteString("repositoryName", name);
            w.WriteImageId("imageId", found.Image.Digest, found.Tag);
            w.WriteString("imageStatus", target);
        }

        return Task.CompletedTask;
    }
}
