using System.Text.Json;
using LocalEcr.Json;
using LocalEcr.Storage;

namespace LocalEcr.Api;

/// <summary>
/// BatchDeleteImage as documented for ECR: by tag it removes the tag, and removing an image's last tag
/// deletes the image; by digest it deletes the image and all its tags. An image an index still lists is
/// refused with ImageReferencedByManifestList.
/// (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_BatchDeleteImage.html)
/// </summary>
internal static class BatchDeleteImageOperation
{
    public static Task BatchDeleteImage(EcrCall call, Utf8JsonWriter w)
    {
        var name = call.RepositoryName();
        var ids = call.Body.OptionalArray("imageIds");
        Validate.Count(ids.Count, "imageIds", 1, 100);
        lock (call.State.Sync)
        {
            var repository = call.FindRepository(name);
            var deleted = new List<(string Digest, string? Tag)>();
            var failures = new List<(string? Digest, string? Tag, string Code, string Reason)>();
            foreach (var id in ids)
            {
                var found = ImageLookup.Resolve(repository, id);
                if (found.Image is not { } image)
                {
                    failures.Add((found.Digest, found.Tag, found.FailureCode!, found.FailureReason!));
                    continue;
                }

                var untagOnly = found.Tag is not null && image.Tags.Count > 1;
                if (!untagOnly)
                {
                    var parents = repository.Images.Values.Where(p => p.Info.Children.Contains(image.Digest)).Select(p => p.Digest).ToList();
                    if (parents.Count > 0)
                    {
                        failures.Add((found.Digest, found.Tag, "ImageReferencedByManifestList", $"Requested image referenced by manifest list: [{string.Join(", ", parents)}]"));
                        continue;
                    }
                }

                if (untagOnly)
                {
                    image.Tags.Remove(found.Tag!);
                    repository.Tags.Remove(found.Tag!);
                    deleted.Add((image.Digest, found.Tag));
                    continue;
                }

                foreach (var tag in image.Tags)
                {
                    repository.Tags.Remove(tag);
                }

                repository.Images.Remove(image.Digest);
                if (found.Tag is not null || image.Tags.Count == 0)
                {
                    deleted.Add((image.Digest, found.Tag));
                }
                else
                {
                    deleted.AddRange(image.Tags.Select(t => (image.Digest, (string?)t)));
                }

                image.Tags.Clear();
            }

            w.WriteStartArray("imageIds");
            foreach (var (digest, tag) in deleted)
            {
                w.WriteStartObject();
                w.WriteString("imageDigest", digest);
                if (tag is not null)
                {
                    w.WriteString("imageTag", tag);
                }

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
}
