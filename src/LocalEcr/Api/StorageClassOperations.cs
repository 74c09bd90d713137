using System.Text.Json;
using LocalEcr.Json;
using LocalEcr.Storage;

namespace LocalEcr.Api;

/// <summary>
/// UpdateImageStorageClass: archive an image (it stays listed and described, with <c>imageStatus</c> ARCHIVED, but
/// cannot be pulled) or restore it. A restore leaves the image ACTIVATING, still archived and not pullable, for
/// <see cref="LocalEcrOptions.RestoreDuration"/> on the server's clock; then it is ACTIVE. ECR documents "You can
/// expect ECR to restore the image within 20 minutes" and describes a restoring image as ACTIVATING.
/// https://docs.aws.amazon.com/AmazonECR/latest/userguide/archive_restore_image.html,
/// https://docs.aws.amazon.com/AmazonECR/latest/userguide/restore-image.html
/// </summary>
internal static class StorageClassOperations
{
    public static Task UpdateImageStorageClass(EcrCall call, Utf8JsonWriter w)
    {
        var name = call.RepositoryName();
        var imageId = call.Body.OptionalObject("imageId")
            ?? throw EcrException.InvalidParameter("1 validation error detected: Value null at 'imageId' failed to satisfy constraint: Member must not be null");
        var archive = call.Body.OptionalString("targetStorageClass") switch
        {
            "ARCHIVE" => true,
            "STANDARD" => false,
            _ => throw EcrException.InvalidParameter("Invalid parameter at 'targetStorageClass' failed to satisfy constraint: 'Member must satisfy enum value set: [STANDARD, ARCHIVE]'"),
        };
        lock (call.State.Sync)
        {
            var repository = call.FindRepository(name);
            var found = ImageLookup.Resolve(repository, imageId);
            var image = found.Image
                ?? throw new EcrException("ImageNotFoundException", $"The image with imageId {{imageDigest:'{found.Digest ?? "null"}', imageTag:'{found.Tag ?? "null"}'}} does not exist within the repository with name '{name}' in the registry with id '{call.RegistryId}'");

            // Neither the API reference nor the restore guide says what ECR answers for an image whose restore is
            // still running. The model lists ImageStorageClassUpdateNotSupportedException ("The requested image
            // storage class update is not supported") for this operation; LocalEcr, the stricter reading, refuses
            // both targets with it rather than restarting or cutting short the restore.
            if (image.Status == ImageStatuses.Activating)
            {
                throw new EcrException("ImageStorageClassUpdateNotSupportedException",
                    $"The image with imageId {{imageDigest:'{image.Digest}', imageTag:'{found.Tag ?? "null"}'}} in the repository with name '{name}' is being restored from the archive (imageStatus ACTIVATING); its storage class cannot change until the restore completes");
            }

            if (archive)
            {
                image.Archive();
            }
            else if (image.Status == ImageStatuses.Archived)
            {
                var duration = call.Server.Options.RestoreDuration;
                if (duration <= TimeSpan.Zero)
                {
                    image.Activate();
                }
                else
                {
                    image.StartRestore(call.Now + duration);
                    call.State.Restoring.Add(image);
                }
            }

            w.WriteString("registryId", call.RegistryId);
            w.WriteString("repositoryName", name);
            w.WriteImageId("imageId", image.Digest, found.Tag);
            w.WriteString("imageStatus", image.Status);
        }

        return Task.CompletedTask;
    }
}
