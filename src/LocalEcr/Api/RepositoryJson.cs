using System.Text.Json;
using LocalEcr.Json;
using LocalEcr.Storage;

namespace LocalEcr.Api;

internal static class RepositoryJson
{
    public static void Write(Utf8JsonWriter w, Repository repository, string registryId)
    {
        w.WriteStartObject();
        w.WriteString("repositoryArn", repository.Arn);
        w.WriteString("registryId", registryId);
        w.WriteString("repositoryName", repository.Name);
        w.WriteString("repositoryUri", repository.Uri);
        w.WriteTimestamp("createdAt", repository.CreatedAt);
        w.WriteString("imageTagMutability", repository.TagMutability);
        if (repository.TagMutabilityExclusionFilters is { } filters)
        {
            w.WritePropertyName("imageTagMutabilityExclusionFilters");
            filters.WriteTo(w);
        }

        w.WriteStartObject("imageScanningConfiguration");
        w.WriteBoolean("scanOnPush", repository.ScanOnPush);
        w.WriteEndObject();
        w.WriteStartObject("encryptionConfiguration");
        w.WriteString("encryptionType", repository.EncryptionType);
        w.WriteOptionalString("kmsKey", repository.KmsKey);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
