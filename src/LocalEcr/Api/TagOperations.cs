using System.Text.Json;
using LocalEcr.Json;
using LocalEcr.Storage;

namespace LocalEcr.Api;

/// <summary>ListTagsForResource, TagResource, UntagResource on repository ARNs.</summary>
internal static class TagOperations
{
    // Model: Tag requires Key and Value. Tagging docs: at most 50 tags per resource, keys 1..128 and values
    // 0..256 characters, and the aws: prefix is reserved for AWS
    // (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html).
    private const int MaxTags = 50;

    // UntagResource's tagKeys: "Array Members: Minimum number of 0 items. Maximum number of 200 items", each key 1..128
    // characters (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_UntagResource.html).
    private const int MaxUntagKeys = 200;

    private const int MaxKeyLength = 128;

    public static Task ListTagsForResource(EcrCall call, Utf8JsonWriter w)
    {
        var (state, name) = Resolve(call);
        lock (state.Sync)
        {
            var repository = Find(state, name);
            w.WriteStartArray("tags");
            foreach (var (key, value) in repository.ResourceTags)
            {
                w.WriteStartObject();
                w.WriteString("Key", key);
                w.WriteString("Value", value);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        return Task.CompletedTask;
    }

    public static Task TagResource(EcrCall call, Utf8JsonWriter w)
    {
        var (state, name) = Resolve(call);
        var tags = ReadTags(call.Body);
        lock (state.Sync)
        {
            var repository = Find(state, name);
            var merged = repository.ResourceTags.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
            foreach (var (key, value) in tags)
            {
                merged[key] = value;
            }

            if (merged.Count > MaxTags)
            {
                throw new EcrException("TooManyTagsException", $"The list of tags on the repository is over the limit. The maximum number of tags that can be applied to a repository is {MaxTags}.");
            }

            repository.ResourceTags.Clear();
            repository.ResourceTags.AddRange(merged.OrderBy(t => t.Key, StringComparer.Ordinal));
        }

        return Task.CompletedTask;
    }

    public static Task UntagResource(EcrCall call, Utf8JsonWriter w)
    {
        var (state, name) = Resolve(call);
        var keys = call.Body.StringArray("tagKeys");
        if (keys.Count > MaxUntagKeys)
        {
            throw EcrException.InvalidParameter($"Invalid parameter at 'tagKeys' failed to satisfy constraint: 'Member must have length less than or equal to {MaxUntagKeys}'");
        }

        RequireKeys(keys);
        lock (state.Sync)
        {
            Find(state, name).ResourceTags.RemoveAll(t => keys.Contains(t.Key));
        }

        return Task.CompletedTask;
    }

    public static List<KeyValuePair<string, string>> ReadTags(JsonElement body)
    {
        var tags = body.OptionalArray("tags").Select(t => KeyValuePair.Create(t.RequiredString("Key"), t.RequiredString("Value"))).ToList();
        if (tags.Count > MaxTags)
        {
            throw new EcrException("TooManyTagsException", $"The list of tags on the repository is over the limit. The maximum number of tags that can be applied to a repository is {MaxTags}.");
        }

        if (tags.Any(t => t.Value.Length > 256))
        {
            throw new EcrException("InvalidTagParameterException", "Tag keys must be 1..128 characters and values at most 256.");
        }

        RequireKeys(tags.Select(t => t.Key).ToList());

        // A resource's tag keys are unique, each with one value
        // (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html): a request naming one twice is refused
        // rather than one of its values kept silently.
        if (tags.Select(t => t.Key).Distinct(StringComparer.Ordinal).Count() != tags.Count)
        {
            throw new EcrException("InvalidTagParameterException", "Tag keys must be unique within a request.");
        }

        return tags;
    }

    /// <summary>The key rules every tag call shares, TagResource's and UntagResource's.</summary>
    private static void RequireKeys(List<string> keys)
    {
        if (keys.Any(k => k.Length is < 1 or > MaxKeyLength))
        {
            throw new EcrException("InvalidTagParameterException", "Tag keys must be 1..128 characters and values at most 256.");
        }

        if (keys.Any(k => k.StartsWith("aws:", StringComparison.OrdinalIgnoreCase)))
        {
            throw new EcrException("InvalidTagParameterException", "Tag keys starting with 'aws:' are reserved for AWS use.");
        }
    }

    private static (RegistryState State, string Name) Resolve(EcrCall call)
    {
        var arn = call.Body.RequiredString("resourceArn");
        var prefix = $"arn:{RepositoryOperations.Partition(call.Region)}:ecr:{call.Region}:";
        var parts = arn.StartsWith(prefix, StringComparison.Ordinal) ? arn[prefix.Length..].Split(':', 2) : [];
        if (parts.Length != 2 || !parts[1].StartsWith("repository/", StringComparison.Ordinal))
        {
            throw EcrException.InvalidParameter("Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'");
        }

        var registryId = Validate.RegistryId(parts[0], call.RegistryId);
        var name = Validate.RepositoryName(parts[1]["repository/".Length..]);
        // The ARN names the account: another account's repository needs a repository policy granting the caller,
        // which LocalEcr does not model, so it is refused as a registryId of another account is (EcrEndpoint).
        if (registryId != call.RegistryId)
        {
            throw EcrException.AccessDenied(call.CallerArn, call.Operation, arn);
        }

        return (call.State, name);
    }

    private static Repository Find(RegistryState state, string name) =>
        state.Repositories.TryGetValue(name, out var repository) ? repository : throw EcrException.RepositoryNotFound(name, state.AccountId);
}
