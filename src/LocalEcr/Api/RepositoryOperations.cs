using System.Text.Json;
using System.Text.Json.Nodes;
using LocalEcr.Json;
using LocalEcr.Storage;

namespace LocalEcr.Api;

/// <summary>CreateRepository, DescribeRepositories, DeleteRepository.</summary>
internal static class RepositoryOperations
{
    private static readonly string[] Mutabilities = ["MUTABLE", "IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION"];
    private static readonly string[] EncryptionTypes = ["AES256", "KMS", "KMS_DSSE"];

    public static Task CreateRepository(EcrCall call, Utf8JsonWriter w)
    {
        var name = call.RepositoryName();
        var body = call.Body;
        var mutability = body.OptionalString("imageTagMutability") ?? "MUTABLE";
        if (!Mutabilities.Contains(mutability))
        {
            throw EcrException.InvalidParameter($"Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum value set: [{string.Join(", ", Mutabilities)}]'");
        }

        var filters = body.OptionalArray("imageTagMutabilityExclusionFilters");

        // The model bounds each filter (WILDCARD, [0-9a-zA-Z._*-]{1,128}) and the list (1..5). Filters only
        // mean something for the *_WITH_EXCLUSION settings, and those need at least one
        // (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html).
        var withExclusion = mutability.EndsWith("_WITH_EXCLUSION", StringComparison.Ordinal);
        if (withExclusion && filters.Count == 0)
        {
            throw EcrException.InvalidParameter($"Invalid parameter: imageTagMutabilityExclusionFilters must be specified when imageTagMutability is {mutability}");
        }

        if (!withExclusion && body.Member("imageTagMutabilityExclusionFilters") is not null)
        {
            throw EcrException.InvalidParameter($"Invalid parameter: imageTagMutabilityExclusionFilters can only be specified when imageTagMutability is IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION, not {mutability}");
        }
        var encryption = body.OptionalObject("encryptionConfiguration");
        var encryptionType = encryption?.OptionalString("encryptionType") ?? "AES256";
        if (!EncryptionTypes.Contains(encryptionType))
        {
            throw EcrException.InvalidParameter("Invalid parameter at 'encryptionType' failed to satisfy constraint: 'Member must satisfy enum value set: [AES256, KMS, KMS_DSSE]'");
        }

        KmsKeyCheck.Check(encryption?.OptionalString("kmsKey"), encryptionType, call.Region);
        var tags = TagOperations.ReadTags(body);

        var state = call.State;
        lock (state.Sync)
        {
            if (state.Repositories.ContainsKey(name))
            {
                throw new EcrException("RepositoryAlreadyExistsException", $"The repository with name '{name}' already exists in the registry with id '{call.RegistryId}'");
            }

            var repository = new Repository
            {
                Name = name,
                Arn = Arn(call.Region, call.RegistryId, name),
                Uri = $"{call.RegistryId}.dkr.ecr.{call.Region}.{DnsSuffix(call.Region)}/{name}",
                CreatedAt = call.Now,
                TagMutability = mutability,
                TagMutabilityExclusionFilters = filters.Count == 0 ? null : (JsonArray?)JsonNode.Parse(body.GetProperty("imageTagMutabilityExclusionFilters").GetRawText()),
                ScanOnPush = body.OptionalObject("imageScanningConfiguration")?.OptionalBool("scanOnPush") ?? false,
                EncryptionType = encryptionType,
                KmsKey = encryption?.OptionalString("kmsKey"),
            };
            repository.ResourceTags.AddRange(tags);
            state.Repositories.Add(name, repository);
            w.WritePropertyName("repository");
            RepositoryJson.Write(w, repository, call.RegistryId);
        }

        return Task.CompletedTask;
    }

    public static Task DescribeRepositories(EcrCall call, Utf8JsonWriter w)
    {
        var names = call.Body.StringArray("repositoryNames");
        var maxResults = Validate.MaxResults(call.Body.OptionalLong("maxResults"));
        var nextToken = call.Body.OptionalString("nextToken");
        if (names.Count > 0 && (maxResults is not null || nextToken is not null))
        {
            throw EcrException.InvalidParameter("Cannot specify repositoryNames together with maxResults or nextToken.");
        }

        var state = call.State;
        lock (state.Sync)
        {
            List<Repository> selected;
            string? next = null;
            if (names.Count > 0)
            {
                Validate.Count(names.Count, "repositoryNames", 1, 100);
                selected = [.. names.Select(n => call.FindRepository(Validate.RepositoryName(n)))];
            }
            else
            {
                (selected, next) = Paging.Page(call, [.. state.Repositories.Values], nextToken, maxResults, 100);
            }

            w.WriteStartArray("repositories");
            foreach (var repository in selected)
            {
                RepositoryJson.Write(w, repository, call.RegistryId);
            }

            w.WriteEndArray();
            w.WriteOptionalString("nextToken", next);
        }

        return Task.CompletedTask;
    }

    public static Task DeleteRepository(EcrCall call, Utf8JsonWriter w)
    {
        var name = call.RepositoryName();
        var force = call.Body.OptionalBool("force") ?? false;
        lock (call.State.Sync)
        {
            var repository = call.FindRepository(name);
            if (repository.Images.Count > 0 && !force)
            {
                throw new EcrException("RepositoryNotEmptyException", $"The repository with name '{name}' in registry with id '{call.RegistryId}' cannot be deleted because it still contains images");
            }

            call.State.Repositories.Remove(name);
            foreach (var upload in call.State.Uploads.Values.Where(u => u.RepositoryName == name).ToList())
            {
                call.State.Uploads.Remove(upload.UploadId);
                upload.Close();
            }

            w.WritePropertyName("repository");
            RepositoryJson.Write(w, repository, call.RegistryId);
        }

        return Task.CompletedTask;
    }

    public static string Arn(string region, string registryId, string name) =>
        $"arn:{Partition(region)}:ecr:{region}:{registryId}:repository/{name}";

    public static string Partition(string region) => RegionPartition.IdOf(region);

    private static string DnsSuffix(string region) => RegionPartition.DnsSuffixOf(region);
}
