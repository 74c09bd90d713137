using System.Text;
using System.Text.Json;
using LocalEcr.Json;
using LocalEcr.Storage;

namespace LocalEcr.Api;

/// <summary>PutImage with ECR's checks: digest over the exact bytes, references present, tag rules.</summary>
internal static class PutImageOperation
{
    // Model: ImageManifest length 1..4194304, which for a string counts characters; the OCI distribution spec's 4 MiB
    // manifest limit (https://github.com/opencontainers/distribution-spec/blob/main/spec.md, "Pushing Manifests")
    // counts bytes. Held here in UTF-8 bytes, never fewer than the characters: the stricter reading of the two.
    private const int MaxManifestBytes = 4_194_304;

    public static Task PutImage(EcrCall call, Utf8JsonWriter w)
    {
        var name = call.RepositoryName();
        var text = call.Body.RequiredString("imageManifest");
        var bytes = Encoding.UTF8.GetBytes(text);
        if (bytes.Length is 0 or > MaxManifestBytes)
        {
            throw EcrException.InvalidParameter("Invalid parameter at 'imageManifest' failed to satisfy constraint: 'Member must have length between 1 and 4194304'");
        }

        var tag = Validate.Tag(call.Body.OptionalString("imageTag"));
        var digest = Digests.Sha256Of(bytes);
        var declaredDigest = call.Body.OptionalString("imageDigest");

        // The model's ImageDigest shape carries no pattern, but ECR holds every imageDigest it is sent to the digest
        // pattern before it looks at anything else: DescribeImages (https://github.com/pulumi/pulumi-aws/issues/2466)
        // and DescribeImageScanFindings (https://github.com/prowler-cloud/prowler/pull/603) answer a malformed one,
        // the empty string included, with InvalidParameterException "Invalid parameter at 'imageDigest' failed to
        // satisfy constraint: 'must satisfy regular expression '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+''". PutImage's
        // imageDigest is the same shape: malformed, it is a bad request, not a digest that differs from the manifest's.
        if (declaredDigest is not null && !Digests.IsWellFormed(declaredDigest))
        {
            throw EcrException.InvalidParameter("Invalid parameter at 'imageDigest' failed to satisfy constraint: 'must satisfy regular expression '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+''");
        }

        // Ordinal: the digest ECR computes is lower-case hex (OCI image spec: sha256 is [a-f0-9]{64}); an upper-case
        // spelling of it is refused, the stricter reading of a pattern (the model's) that admits A-F.
        if (declaredDigest is not null && !string.Equals(declaredDigest, digest, StringComparison.Ordinal))
        {
            throw new EcrException("ImageDigestDoesNotMatchException", $"Provided image digest '{declaredDigest}' does not match the calculated digest '{digest}'");
        }

        var info = ManifestParser.Parse(bytes, call.Body.OptionalString("imageManifestMediaType"));
        var state = call.State;
        lock (state.Sync)
        {
            var repository = call.FindRepository(name);
            var missing = info.Blobs.Where(b => !repository.Layers.ContainsKey(b)).ToList();
            if (missing.Count > 0)
            {
                throw new EcrException("LayersNotFoundException", $"Layers with digests '[{string.Join(", ", missing)}]' required for pushing image into repository with name '{name}' in the registry with id '{call.RegistryId}' do not exist");
            }

            var missingChildren = info.Children.Where(c => !repository.Images.ContainsKey(c)).ToList();
            if (missingChildren.Count > 0)
            {
                throw new EcrException("ReferencedImagesNotFoundException", $"Manifests with digests '[{string.Join(", ", missingChildren)}]' required for pushing image into repository with name '{name}' in the registry with id '{call.RegistryId}' do not exist");
            }

            repository.Images.TryGetValue(digest, out var existing);
            string? previousDigest = null;
            if (tag is not null && repository.Tags.TryGetValue(tag, out var tagged))
            {
                previousDigest = tagged;
            }

            // ECR answers ImageTagAlreadyExistsException, not ImageAlreadyExistsException, when the tag is
            // immutable, even when the tag already points at this very manifest:
            // https://github.com/aws/containers-roadmap/issues/2179
            if (tag is not null && previousDigest == digest && TagMutability.IsImmutable(repository, tag))
            {
                throw ImmutableTag(tag, name);
            }

            // An archived image pushed again without a tag: restored, or refused as there already under the other
            // reading of what ECR does (LocalEcrOptions.TaglessPushLeavesArchived).
            var alreadyThere = existing is { IsActive: true } || (existing is not null && tag is null && call.Server.Options.TaglessPushLeavesArchived);
            if (alreadyThere && (tag is null || previousDigest == digest))
            {
                throw new EcrException("ImageAlreadyExistsException", tag is null
                    ? $"Image with digest '{digest}' already exists in the repository with name '{name}' in the registry with id '{call.RegistryId}'"
                    : $"Image with digest '{digest}' and tag '{tag}' already exists in the repository with name '{name}' in the registry with id '{call.RegistryId}'");
            }

            if (tag is not null && previousDigest is not null && previousDigest != digest && TagMutability.IsImmutable(repository, tag))
            {
                throw ImmutableTag(tag, name);
            }

            // Pushing an archived image again restores it at once, so it also ends a restore in progress (ACTIVATING)
            // (https://docs.aws.amazon.com/AmazonECR/latest/userguide/restore-image.html). Only a push that lands
            // does: the refusals above leave the image archived.
            if (existing is { IsActive: false })
            {
                existing.Activate();
            }

            var image = existing ?? new ImageRecord
            {
                Digest = digest,
                Manifest = bytes,
                Info = info,
                PushedAt = call.Now,
                Sequence = repository.NextSequence++,
            };
            repository.Images[digest] = image;
            if (existing is null)
            {
                ManagedSigning.OnPush(state, repository, image, call.Now + call.Server.Options.SigningDuration);
                if (call.Server.Options.SigningDuration <= TimeSpan.Zero)
                {
                    ManagedSigning.Finish(state, call.Server.Blobs, call.Now);
                }
            }

            if (tag is not null)
            {
                if (previousDigest is not null && repository.Images.TryGetValue(previousDigest, out var previous))
                {
                    previous.Tags.Remove(tag);
                }

                repository.Tags[tag] = digest;
                image.Tags.Add(tag);
            }

            w.WriteStartObject("image");
            w.WriteString("registryId", call.RegistryId);
            w.WriteString("repositoryName", name);
            w.WriteImageId("imageId", digest, tag);
            w.WriteString("imageManifest", text);
            w.WriteString("imageManifestMediaType", info.MediaType);
            w.WriteEndObject();
        }

        return Task.CompletedTask;
    }

    private static EcrException ImmutableTag(string tag, string name) =>
        new("ImageTagAlreadyExistsException", $"The image tag '{tag}' already exists in the '{name}' repository and cannot be overwritten because the tag is immutable.");
}
