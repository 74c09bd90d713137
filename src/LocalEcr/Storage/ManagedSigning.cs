using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace LocalEcr.Storage;

/// <summary>
/// ECR's managed signing, as far as a replicator sees it (https://docs.aws.amazon.com/AmazonECR/latest/userguide/managed-signing.html):
/// an image pushed into a repository a signing rule matches is signed after the push, once per signing profile, and
/// each signature is stored in the repository as a referrer of the image (an OCI manifest whose <c>subject</c> is the
/// image). Until then DescribeImageSigningStatus answers IN_PROGRESS for the profile, then COMPLETE. How long AWS
/// Signer takes is not documented; LocalEcr takes <see cref="LocalEcrOptions.SigningDuration"/> on its clock,
/// seen by the first call after that moment, as a restore is. The signature's bytes are LocalEcr's stand-in for
/// Notation's COSE/JWS envelope: nothing verifies them, a replicator copies them exactly.
/// </summary>
internal static class ManagedSigning
{
    /// <summary>Notation's artifact type for a signature (notaryproject/specifications, signature-specification.md).</summary>
    public const string SignatureArtifactType = "application/vnd.cncf.notary.signature";

    private const string EnvelopeMediaType = "application/jose+json";

    /// <summary>The OCI 1.1 empty config: the two bytes <c>{}</c> (opencontainers/image-spec, manifest.md).</summary>
    private static readonly byte[] EmptyConfig = "{}"u8.ToArray();

    /// <summary>
    /// Starts a signing job for each profile whose rule matches a newly pushed image. A manifest with a subject (a
    /// signature, an SBOM) is not signed: the documentation speaks of signing images, and a signature of a signature
    /// would never end. Under the state's lock.
    /// </summary>
    public static void OnPush(RegistryState state, Repository repository, ImageRecord image, DateTimeOffset dueAt)
    {
        if (state.SigningRules is not { } rules || image.Info.SubjectDigest is not null)
        {
            return;
        }

        foreach (var profile in rules.Where(r => r.Matches(repository.Name)).Select(r => r.ProfileArn).Distinct(StringComparer.Ordinal))
        {
            image.SigningStatuses[profile] = SigningStatuses.InProgress;
            state.SigningJobs.Add(new SigningJob(repository, image, profile, dueAt));
        }
    }

    /// <summary>
    /// Stores the signature of every job due at <paramref name="now"/> (every job when null) and marks its profile
    /// COMPLETE. A job whose image was deleted meanwhile is dropped. A job whose signature could not be written (an
    /// IOException of the data directory, which the call that settled it answers as ServerException) stays, IN_PROGRESS,
    /// for the next call to store: it is not lost, leaving the status IN_PROGRESS for ever. Under the state's lock.
    /// </summary>
    public static void Finish(RegistryState state, BlobStore blobs, DateTimeOffset? now)
    {
        foreach (var job in state.SigningJobs.Where(j => now is null || now >= j.DueAt).ToList())
        {
            if (!job.Repository.Images.TryGetValue(job.Image.Digest, out var current) || !ReferenceEquals(current, job.Image))
            {
                state.SigningJobs.Remove(job);
                continue;
            }

            Store(job, blobs, now ?? job.DueAt);
            state.SigningJobs.Remove(job);
            job.Image.SigningStatuses[job.Profile] = SigningStatuses.Complete;
        }
    }

    private static void Store(SigningJob job, BlobStore blobs, DateTimeOffset at)
    {
        var repository = job.Repository;
        var subject = job.Image;
        byte[] envelope;
        using (var stream = new MemoryStream())
        {
            using (var e = new Utf8JsonWriter(stream))
            {
                e.WriteStartObject();
                e.WriteString("payload", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{{\"targetArtifact\":{{\"mediaType\":\"{subject.Info.MediaType}\",\"digest\":\"{subject.Digest}\",\"size\":{subject.Manifest.Length}}}}}")));
                e.WriteString("signingProfile", job.Profile);
                e.WriteString("signature", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(job.Profile + "\n" + subject.Digest))));
                e.WriteEndObject();
            }

            envelope = stream.ToArray();
        }

        var configDigest = Put(blobs, repository, EmptyConfig);
        var envelopeDigest = Put(blobs, repository, envelope);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", MediaTypes.OciManifest);
            w.WriteString("artifactType", SignatureArtifactType);
            Descriptor(w, "config", "application/vnd.oci.empty.v1+json", configDigest, EmptyConfig.Length);
            w.WriteStartArray("layers");
            Descriptor(w, null, EnvelopeMediaType, envelopeDigest, envelope.Length);
            w.WriteEndArray();
            Descriptor(w, "subject", subject.Info.MediaType, subject.Digest, subject.Manifest.Length);
            w.WriteStartObject("annotations");
            w.WriteString("org.opencontainers.image.created", at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteEndObject();
            w.WriteEndObject();
        }

        var manifest = buffer.ToArray();
        var digest = Digests.Sha256Of(manifest);
        repository.Images.TryAdd(digest, new ImageRecord
        {
            Digest = digest,
            Manifest = manifest,
            Info = ManifestParser.Parse(manifest, MediaTypes.OciManifest),
            PushedAt = at,
            Sequence = repository.NextSequence++,
        });
    }

    private static string Put(BlobStore blobs, Repository repository, byte[] bytes)
    {
        var digest = Digests.Sha256Of(bytes);
        if (!blobs.Exists(digest))
        {
            var path = blobs.NewUploadPath(BlobStore.SigningPrefix + Guid.NewGuid().ToString("N"));
            try
            {
                using (var file = File.OpenHandle(path, FileMode.Create, FileAccess.Write))
                {
                    blobs.Space.Write(file, bytes, 0);
                }

                blobs.Commit(path, digest, bytes.Length);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Not written whole (a full disk) or not moved into the blob store: the file is no blob, and no upload
                // session owns it to discard it, so it goes now; else every retry left one more in DATA/uploads, kept for
                // ever in a kept data directory. Recycle deletes it when it cannot be kept for reuse.
                blobs.Recycle(path);
                throw;
            }
        }

        repository.Layers[digest] = bytes.Length;
        return digest;
    }

    private static void Descriptor(Utf8JsonWriter w, string? name, string mediaType, string digest, long size)
    {
        if (name is null)
        {
            w.WriteStartObject();
        }
        else
        {
            w.WriteStartObject(name);
        }

        w.WriteString("mediaType", mediaType);
        w.WriteString("digest", digest);
        w.WriteNumber("size", size);
        w.WriteEndObject();
    }
}

/// <summary>A signature still being made: the profile's, of <see cref="Image"/>, stored at <see cref="DueAt"/>.</summary>
internal sealed record SigningJob(Repository Repository, ImageRecord Image, string Profile, DateTimeOffset DueAt);

/// <summary>Values of the ECR model's <c>SigningStatus</c>.</summary>
internal static class SigningStatuses
{
    public const string InProgress = "IN_PROGRESS";
    public const string Complete = "COMPLETE";
}
