using System.Text;
using System.Text.Json;
using LocalEcr.Json;
using LocalEcr.Storage;

namespace LocalEcr.Api;

/// <summary>BatchGetImage, DescribeImages, ListImages.</summary>
internal static class ImageReadOperations
{
    public static Task BatchGetImage(EcrCall call, Utf8JsonWriter w)
    {
        var name = call.RepositoryName();
        var ids = call.Body.OptionalArray("imageIds");
        Validate.Count(ids.Count, "imageIds", 1, 100);
        lock (call.State.Sync)
        {
            var repository = call.FindRepository(name);
            var failures = new List<(string? Digest, string? Tag, string Code, string Reason)>();
            w.WriteStartArray("images");
            foreach (var id in ids)
            {
                var found = ImageLookup.Resolve(repository, id);
                if (found.Image is null)
                {
                    failures.Add((found.Digest, found.Tag, found.FailureCode!, found.FailureReason!));
                    continue;
                }

                // An archived image cannot be pulled: ECR answers a pull with 404
                // (https://docs.aws.amazon.com/AmazonECR/latest/userguide/archive-image.html), so here it is not found.
                // Nor can one being restored (ACTIVATING): it stays archived until the restore completes
                // (https://docs.aws.amazon.com/AmazonECR/latest/userguide/restore-image.html).
                if (!found.Image.IsActive)
                {
                    failures.Add(call.Server.Options.ArchivedImagesInaccessible
                        ? (found.Digest, found.Tag, "ImageInaccessible", "The requested image is archived and cannot be pulled until it is restored")
                        : (found.Digest, found.Tag, "ImageNotFound", "Requested image not found"));
                    continue;
                }

                // No conversion here: the stored manifest comes back in its own media type whatever
                // acceptedMediaTypes says, and the caller checks imageManifestMediaType. The model's
                // ImageFailureCode enum has no code for "not an accepted type", so LocalEcr invents none.
                w.WriteStartObject();
                w.WriteString("registryId", call.RegistryId);
                w.WriteString("repositoryName", name);
                w.WriteImageId("imageId", found.Image.Digest, found.Tag);
                w.WriteString("imageManifest", Encoding.UTF8.GetString(found.Image.Manifest));
                w.WriteString("imageManifestMediaType", found.Image.Info.MediaType);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("failures");
            foreach (var f in failures)
            {
                ImageLookup.WriteFailure(w, f.Digest, f.Tag, f.Code, f.Reason);
            }

            w.WriteEndArray();
        }

        return Task.CompletedTask;
    }

    public static Task DescribeImages(EcrCall call, Utf8JsonWriter w)
    {
        var name = call.RepositoryName();
        var ids = call.Body.OptionalArray("imageIds");
        var maxResults = Validate.MaxResults(call.Body.OptionalLong("maxResults"));
        var nextToken = call.Body.OptionalString("nextToken");
        var tagStatus = TagStatus(call.Body);
        var imageStatus = Validate.StatusFilter(call.Body.OptionalObject("filter")?.OptionalString("imageStatus"), "filter.imageStatus");

        // The model on maxResults and nextToken: "This option cannot be used when you specify images with imageIds."
        // An empty imageIds list is refused by the model's min of 1 before we get here.
        if (call.Body.Member("imageIds") is not null && (maxResults is not null || nextToken is not null))
        {
            throw EcrException.InvalidParameter("Invalid parameter: cannot specify imageIds together with maxResults or nextToken");
        }

        lock (call.State.Sync)
        {
            var repository = call.FindRepository(name);
            List<ImageRecord> selected;
            string? next = null;
            if (ids.Count > 0)
            {
                Validate.Count(ids.Count, "imageIds", 1, 100);

                // Every id is checked before any is looked up, so a malformed one is refused whatever precedes it.
                foreach (var id in ids)
                {
                    ImageLookup.RequireWellFormed(id);
                }

                selected = [];
                foreach (var id in ids)
                {
                    var found = ImageLookup.Resolve(repository, id);

                    // Stricter than needed where ECR is not documented: the status filter applies to imageIds too.
                    if (found.Image is null || (call.Server.Options.DescribeImagesByIdActiveOnly ? !found.Image.IsActive : !call.Server.Options.DescribeImagesByIdIgnoresStatusFilter && !ImageStatuses.Matches(imageStatus, found.Image)))
                    {
                        throw new EcrException("ImageNotFoundException",
                            $"The image with imageId {{imageDigest:'{found.Digest ?? "null"}', imageTag:'{found.Tag ?? "null"}'}} does not exist within the repository with name '{name}' in the registry with id '{call.RegistryId}'");
                    }

                    if (!selected.Contains(found.Image))
                    {
                        selected.Add(found.Image);
                    }
                }
            }
            else
            {
                (selected, next) = Paging.Page(call, Ordered(repository, tagStatus).Where(i => ImageStatuses.Matches(imageStatus, i)).ToList(), nextToken, maxResults, 100);
            }

            w.WriteStartArray("imageDetails");
            foreach (var image in selected)
            {
                WriteDetail(w, call, repository, image);
            }

            w.WriteEndArray();
            w.WriteOptionalString("nextToken", next);
        }

        return Task.CompletedTask;
    }

    public static Task ListImages(EcrCall call, Utf8JsonWriter w)
    {
        var name = call.RepositoryName();
        var maxResults = Validate.MaxResults(call.Body.OptionalLong("maxResults"));
        var nextToken = call.Body.OptionalString("nextToken");
        var tagStatus = TagStatus(call.Body);

        // The model's ListImagesFilter.imageStatus: "If not specified, only images with ACTIVE status are returned."
        var imageStatus = Validate.StatusFilter(call.Body.OptionalObject("filter")?.OptionalString("imageStatus"), "filter.imageStatus");
        lock (call.State.Sync)
        {
            var repository = call.FindRepository(name);
            var entries = Ordered(repository, tagStatus)
                .Where(i => ImageStatuses.Matches(imageStatus, i))
                .SelectMany(i => i.Tags.Count == 0 ? [(i.Digest, (string?)null)] : i.Tags.Select(t => (i.Digest, (string?)t)))
                .Where(e => tagStatus != "TAGGED" || e.Item2 is not null)
                .ToList();
            var (page, next) = Paging.Page(call, entries, nextToken, maxResults, 100);
            w.WriteStartArray("imageIds");
            foreach (var (digest, tag) in page)
            {
                w.WriteStartObject();
                w.WriteString("imageDigest", digest);
                w.WriteOptionalString("imageTag", tag);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteOptionalString("nextToken", next);
        }

        return Task.CompletedTask;
    }

    private static string TagStatus(JsonElement body)
    {
        var status = body.OptionalObject("filter")?.OptionalString("tagStatus") ?? "ANY";
        return status is "TAGGED" or "UNTAGGED" or "ANY"
            ? status
            : throw EcrException.InvalidParameter("Invalid parameter at 'tagStatus' failed to satisfy constraint: 'Member must satisfy enum value set: [TAGGED, UNTAGGED, ANY]'");
    }

    private static List<ImageRecord> Ordered(Repository repository, string tagStatus) =>
        [.. repository.Images.Values
            .Where(i => tagStatus == "ANY" || (tagStatus == "TAGGED") == (i.Tags.Count > 0))
            .OrderBy(i => i.Sequence)];

    private static void WriteDetail(Utf8JsonWriter w, EcrCall call, Repository repository, ImageRecord image)
    {
        w.WriteStartObject();
        w.WriteString("registryId", call.RegistryId);
        w.WriteString("repositoryName", repository.Name);
        w.WriteString("imageDigest", image.Digest);
        if (image.Tags.Count > 0)
        {
            w.WriteStartArray("imageTags");
            foreach (var tag in image.Tags)
            {
                w.WriteStringValue(tag);
            }

            w.WriteEndArray();
        }

        w.WriteNumber("imageSizeInBytes", ImageLookup.SizeOf(repository, image));
        w.WriteTimestamp("imagePushedAt", image.PushedAt);
        w.WriteString("imageManifestMediaType", image.Info.MediaType);
        w.WriteOptionalString("artifactMediaType", image.Info.ConfigMediaType ?? image.Info.ArtifactType);
        w.WriteOptionalString("subjectManifestDigest", call.Server.Options.DescribeImagesOmitsSubjectManifestDigest ? null : image.Info.SubjectDigest);
        w.WriteString("imageStatus", image.Status);
        w.WriteEndObject();
    }
}
