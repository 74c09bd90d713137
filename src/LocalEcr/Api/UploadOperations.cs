using System.Text.Json;
using LocalEcr.Json;
using LocalEcr.Storage;

namespace LocalEcr.Api;

/// <summary>InitiateLayerUpload, UploadLayerPart, CompleteLayerUpload, with ECR's part rules.</summary>
internal static class UploadOperations
{
    // ECR quotas (not adjustable): parts of at least 5 MiB except the last, at most 4,200 parts, layers of at
    // most 52,000 MiB; https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html
    // The quota page says parts are at most 10 MiB; the model's LayerPartBlob allows 20,971,520 bytes. LocalEcr
    // advertises 10 MiB in InitiateLayerUpload (AWS's documented answer) but accepts parts up to the model's
    // 20 MiB, so a client that needs bigger parts for a huge layer is not refused here when ECR would take them.
    public const long PartSize = 10_485_760;
    public const long MaxPartSize = 20_971_520;
    public const long MinPartSize = 5 * 1024 * 1024;
    public const int MaxParts = 4200;
    public const long MaxLayerSize = 52_000L * 1024 * 1024;

    public static Task InitiateLayerUpload(EcrCall call, Utf8JsonWriter w)
    {
        var name = call.RepositoryName();
        var uploadId = Guid.CreateVersion7().ToString();
        lock (call.State.Sync)
        {
            call.FindRepository(name);
            call.State.Uploads.Add(uploadId, new UploadSession
            {
                UploadId = uploadId,
                RepositoryName = name,
                TempPath = call.Server.Blobs.NewUploadPath(uploadId),
                DiscardFile = call.Server.Blobs.Recycle,
                Space = call.Server.Blobs.Space,
            });
        }

        w.WriteString("uploadId", uploadId);
        w.WriteNumber("partSize", PartSize);
        return Task.CompletedTask;
    }

    public static async Task UploadLayerPart(EcrCall call, Utf8JsonWriter w)
    {
        var name = call.RepositoryName();
        var uploadId = call.Body.RequiredString("uploadId");
        var first = call.Body.OptionalLong("partFirstByte") ?? throw EcrException.InvalidParameter("partFirstByte must not be null");
        var last = call.Body.OptionalLong("partLastByte") ?? throw EcrException.InvalidParameter("partLastByte must not be null");
        using var blob = (call.Body.Member("layerPartBlob") is { } member ? LayerPartBlob.TryDecode(member) : null)
            ?? throw new EcrException("SerializationException", "layerPartBlob must be a base64 string.");
        var session = Find(call, name, uploadId);
        await session.Gate.WaitAsync(call.Aborted);
        try
        {
            EnsureOpen(call, session, name);
            if (first != session.Length || last - first + 1 != blob.Length || blob.Length == 0 || blob.Length > MaxPartSize)
            {
                throw InvalidPart(call, session, name);
            }

            CheckLimits(session.PartSizes.Count, session.Length, blob.Length);

            await session.AppendAsync(blob.Bytes, call.Aborted);
            w.WriteString("registryId", call.RegistryId);
            w.WriteString("repositoryName", name);
            w.WriteString("uploadId", uploadId);
            w.WriteNumber("lastByteReceived", session.Length - 1);
        }
        finally
        {
            session.ReleaseGate();
        }
    }

    public static async Task CompleteLayerUpload(EcrCall call, Utf8JsonWriter w)
    {
        var name = call.RepositoryName();
        var uploadId = call.Body.RequiredString("uploadId");
        var digests = call.Body.StringArray("layerDigests");
        Validate.Count(digests.Count, "layerDigests", 1, 100);
        var session = Find(call, name, uploadId);
        await session.Gate.WaitAsync(call.Aborted);
        try
        {
            EnsureOpen(call, session, name);
            if (session.PartSizes.Count == 0)
            {
                throw new EcrException("EmptyUploadException", $"The upload with id '{uploadId}' does not contain any layer parts");
            }

            if (session.PartSizes.Take(session.PartSizes.Count - 1).Any(size => size < MinPartSize))
            {
                End(call, session);
                throw new EcrException("LayerPartTooSmallException", "Layer parts must be at least 5 MiB in size except the last");
            }

            // Every digest given must be the layer's, compared ordinally: the model's LayerDigestList holds 1..100
            // digests of one upload, and nothing documents which of several ECR checks, so all are. The model's
            // LayerDigest pattern admits upper-case hex, but the digest ECR computes (and answers) is lower case and
            // the OCI image spec fixes sha256 to [a-f0-9]{64}; an upper-case digest is refused rather than folded.
            var computed = session.CurrentDigest();
            if (digests.FirstOrDefault(d => !Digests.IsWellFormed(d) || !string.Equals(d, computed, StringComparison.Ordinal)) is { } wrong)
            {
                End(call, session);
                throw new EcrException("InvalidLayerException", $"Invalid layer digest: '{wrong}' does not match the calculated digest '{computed}'");
            }

            if (call.Server.Options.BeforeLayerCommit is { } pause)
            {
                await pause();
            }

            lock (call.State.Sync)
            {
                var repository = call.FindRepository(name);

                // Again under the lock: the upload may have ended since the check above (a forced DeleteRepository,
                // ForgetUploads), and its repository may since have been created anew under the same name. Whoever
                // ended it deletes its file (now, or when this call releases the gate).
                EnsureOpen(call, session, name);
                call.State.Uploads.Remove(uploadId);
                session.Closed = true;
                if (repository.Layers.ContainsKey(computed))
                {
                    session.Dispose();
                    throw new EcrException("LayerAlreadyExistsException", $"Image layer with digest '{computed}' already exists in the repository with name '{name}' in the registry with id '{call.RegistryId}'");
                }

                call.Server.Blobs.Commit(session.TempPath, computed, session.Length);
                repository.Layers[computed] = session.Length;
                session.Dispose();
            }

            w.WriteString("registryId", call.RegistryId);
            w.WriteString("repositoryName", name);
            w.WriteString("uploadId", uploadId);
            w.WriteString("layerDigest", computed);
        }
        finally
        {
            session.ReleaseGate();
        }
    }

    /// <summary>Refuses a part that would be the 4,201st or take the layer past 52,000 MiB.</summary>
    internal static void CheckLimits(int partsSoFar, long bytesSoFar, long partLength)
    {
        if (partsSoFar >= MaxParts)
        {
            throw new EcrException("LimitExceededException", $"The upload has reached the maximum of {MaxParts} parts.");
        }

        if (bytesSoFar + partLength > MaxLayerSize)
        {
            throw new EcrException("LimitExceededException", $"The layer would exceed the maximum layer size of {MaxLayerSize} bytes (52,000 MiB).");
        }
    }

    private static UploadSession Find(EcrCall call, string name, string uploadId)
    {
        lock (call.State.Sync)
        {
            call.FindRepository(name);
            if (call.State.Uploads.TryGetValue(uploadId, out var session) && session.RepositoryName == name)
            {
                return session;
            }
        }

        throw NotFound(call, name, uploadId);
    }

    private static void EnsureOpen(EcrCall call, UploadSession session, string name)
    {
        if (session.Closed)
        {
            throw NotFound(call, name, session.UploadId);
        }
    }

    private static void End(EcrCall call, UploadSession session)
    {
        lock (call.State.Sync)
        {
            call.State.Uploads.Remove(session.UploadId);
            session.Closed = true;
        }

        session.Dispose();
    }

    private static EcrException NotFound(EcrCall call, string name, string uploadId) =>
        new("UploadNotFoundException", $"Upload with id '{uploadId}' is not found in the repository with name '{name}' in the registry with id '{call.RegistryId}'");

    // lastValidByteReceived is the model's PartSize (min 0) and optional: before any byte is received there is no last
    // valid byte, so the member is left out rather than written as -1.
    private static EcrException InvalidPart(EcrCall call, UploadSession session, string name)
    {
        var received = session.Length;
        var lastValid = received - 1;
        return new EcrException("InvalidLayerPartException",
            $"The part must start at byte {received}, end at its last byte inclusive, and hold 1..{MaxPartSize} bytes; "
                + (received > 0 ? $"last valid byte received: {lastValid}" : "no byte received yet"),
            members: w =>
            {
                w.WriteString("registryId", call.RegistryId);
                w.WriteString("repositoryName", name);
                w.WriteString("uploadId", session.UploadId);
                if (received > 0)
                {
                    w.WriteNumber("lastValidByteReceived", lastValid);
                }
            });
    }
}
