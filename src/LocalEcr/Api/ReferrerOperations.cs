using System.Text.Json;
using LocalEcr.Json;
using LocalEcr.Storage;

namespace LocalEcr.Api;

/// <summary>ListImageReferrers: manifests of the repository whose <c>subject</c> is the given digest.</summary>
internal static class ReferrerOperations
{
    public static Task ListImageReferrers(EcrCall call, Utf8JsonWriter w)
    {
        var name = call.RepositoryName();
        var subject = call.Body.OptionalObject("subjectId")?.OptionalString("imageDigest")
            ?? throw EcrException.InvalidParameter("1 validation error detected: Value null at 'subjectId.imageDigest' failed to satisfy constraint: Member must not be null");
        if (!Digests.IsWellFormed(subject))
        {
            throw EcrException.InvalidParameter("Invalid parameter at 'subjectId.imageDigest' failed to satisfy constraint: 'must satisfy regular expression '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+''");
        }

        var filter = call.Body.OptionalObject("filter");
        var artifactTypes = filter?.StringArray("artifactTypes") ?? [];
        var status = Validate.StatusFilter(filter?.OptionalString("artifactStatus"), "filter.artifactStatus");

        // Model: FiftyMaxResults 1..50; without maxResults ECR returns up to 20.
        var maxResults = Validate.MaxResults(call.Body.OptionalLong("maxResults"), 50);
        lock (call.State.Sync)
        {
            var repository = call.FindRepository(name);
            var referrers = repository.Images.Values
                .Where(i => i.Info.SubjectDigest == subject)
                .Where(i => artifactTypes.Count == 0 || (i.Info.ArtifactType is { } t && artifactTypes.Contains(t)))
                .Where(i => ImageStatuses.Matches(status, i))
                .OrderBy(i => i.Sequence)
                .ToList();
            var (page, next) = Paging.Page(call, referrers, call.Body.OptionalString("nextToken"), maxResults, 20);
            w.WriteStartArray("referrers");
            foreach (var image in page)
            {
                w.WriteStartObject();
                w.WriteString("digest", image.Digest);
                w.WriteString("mediaType", image.Info.MediaType);
                w.WriteOptionalString("artifactType", image.Info.ArtifactType);
                w.WriteNumber("size", image.Manifest.LongLength);
                if (image.Info.Annotations.Count > 0)
                {
                    w.WriteStartObject("annotations");
                    foreach (var (key, value) in image.Info.Annotations)
                    {
                        w.WriteString(key, value);
                    }

                    w.WriteEndObject();
                }

                w.WriteString("artifactStatus", image.Status);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteOptionalString("nextToken", next);
        }

        return Task.CompletedTask;
    }
}
