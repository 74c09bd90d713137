using System.Text.Json;
using LocalEcr.Json;

namespace LocalEcr.Api;

/// <summary>Get/PutLifecyclePolicy and Get/SetRepositoryPolicy: checked (RepositoryPolicyCheck, LifecyclePolicyCheck), kept as received, returned as is.</summary>
internal static class PolicyOperations
{
    public static Task PutLifecyclePolicy(EcrCall call, Utf8JsonWriter w)
    {
        var name = call.RepositoryName();
        var text = RequireJson(call.Body.RequiredString("lifecyclePolicyText"), "lifecyclePolicyText", 30720, LifecyclePolicyCheck.Require);
        lock (call.State.Sync)
        {
            call.FindRepository(name).LifecyclePolicy = text;
        }

        WriteHead(w, call, name);
        w.WriteString("lifecyclePolicyText", text);
        return Task.CompletedTask;
    }

    public static Task GetLifecyclePolicy(EcrCall call, Utf8JsonWriter w)
    {
        var name = call.RepositoryName();
        string text;
        lock (call.State.Sync)
        {
            text = call.FindRepository(name).LifecyclePolicy
                ?? throw new EcrException("LifecyclePolicyNotFoundException", $"Lifecycle policy does not exist for the repository with name '{name}' in the registry with id '{call.RegistryId}'");
        }

        WriteHead(w, call, name);
        w.WriteString("lifecyclePolicyText", text);
        w.WriteTimestamp("lastEvaluatedAt", DateTimeOffset.UnixEpoch);
        return Task.CompletedTask;
    }

    public static Task SetRepositoryPolicy(EcrCall call, Utf8JsonWriter w)
    {
        var name = call.RepositoryName();
        var force = call.Body.OptionalBool("force") ?? false;
        var text = RequireJson(call.Body.RequiredString("policyText"), "policyText", 10240, policy => RepositoryPolicyCheck.Require(policy, force));
        lock (call.State.Sync)
        {
            call.FindRepository(name).RepositoryPolicy = text;
        }

        WriteHead(w, call, name);
        w.WriteString("policyText", text);
        return Task.CompletedTask;
    }

    public static Task GetRepositoryPolicy(EcrCall call, Utf8JsonWriter w)
    {
        var name = call.RepositoryName();
        string text;
        lock (call.State.Sync)
        {
            text = call.FindRepository(name).RepositoryPolicy
                ?? throw new EcrException("RepositoryPolicyNotFoundException", $"Repository policy does not exist for the repository with name '{name}' in the registry with id '{call.RegistryId}'");
        }

        WriteHead(w, call, name);
        w.WriteString("policyText", text);
        return Task.CompletedTask;
    }

    private static void WriteHead(Utf8JsonWriter w, EcrCall call, string name)
    {
        w.WriteString("registryId", call.RegistryId);
        w.WriteString("repositoryName", name);
    }

    // Lengths from the model (LifecyclePolicyText 100..30720, RepositoryPolicyText 0..10240) are checked
    // before the operation runs; this keeps the JSON check and a floor for direct callers, then checks the
    // policy's own grammar.
    private static string RequireJson(string text, string member, int maxLength, Action<JsonElement> checkContent)
    {
        if (text.Length is 0 || text.Length > maxLength)
        {
            throw EcrException.InvalidParameter($"Invalid parameter at '{member}' failed to satisfy constraint: 'Member must have length between 1 and {maxLength}'");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            throw EcrException.InvalidParameter($"Invalid parameter at '{member}' failed to satisfy constraint: 'Invalid JSON'");
        }

        using (document)
        {
            JsonStrings.RefuseUnreadableIn(document.RootElement, member);
            checkContent(document.RootElement);
        }

        return text;
    }
}
