using System.Text.Json;
using LocalEcr.Json;
using LocalEcr.Storage;

namespace LocalEcr.Api;

/// <summary>
/// Managed signing's registry configuration (PutSigningConfiguration, GetSigningConfiguration,
/// DeleteSigningConfiguration) and an image's signing status (DescribeImageSigningStatus), with the shapes and errors of
/// botocore's ECR model. The request's constraints (10 rules, 100 filters a rule, the profile ARN's and the filter's
/// patterns, WILDCARD_MATCH) are the model's, checked before any handler runs. What signing does is
/// <see cref="ManagedSigning"/>'s.
/// </summary>
internal static class SigningOperations
{
    public static Task PutSigningConfiguration(EcrCall call, Utf8JsonWriter w)
    {
        var configuration = call.Body.OptionalObject("signingConfiguration")
            ?? throw EcrException.InvalidParameter("1 validation error detected: Value null at 'signingConfiguration' failed to satisfy constraint: Member must not be null");
        var rules = configuration.OptionalArray("rules")
            .Select(r => new SigningRule(
                r.RequiredString("signingProfileArn"),
                [.. r.OptionalArray("repositoryFilters").Select(f => f.RequiredString("filter"))]))
            .ToList();
        lock (call.State.Sync)
        {
            call.State.SigningRules = rules;
            WriteConfiguration(w, rules);
        }

        return Task.CompletedTask;
    }

    public static Task GetSigningConfiguration(EcrCall call, Utf8JsonWriter w)
    {
        lock (call.State.Sync)
        {
            var rules = call.State.SigningRules ?? throw NotFound(call);
            w.WriteString("registryId", call.RegistryId);
            WriteConfiguration(w, rules);
        }

        return Task.CompletedTask;
    }

    public static Task DeleteSigningConfiguration(EcrCall call, Utf8JsonWriter w)
    {
        lock (call.State.Sync)
        {
            var rules = call.State.SigningRules ?? throw NotFound(call);
            call.State.SigningRules = null;
            w.WriteString("registryId", call.RegistryId);
            WriteConfiguration(w, rules);
        }

        return Task.CompletedTask;
    }

    public static Task DescribeImageSigningStatus(EcrCall call, Utf8JsonWriter w)
    {
        var name = call.RepositoryName();
        var imageId = call.Body.OptionalObject("imageId")
            ?? throw EcrException.InvalidParameter("1 validation error detected: Value null at 'imageId' failed to satisfy constraint: Member must not be null");
        lock (call.State.Sync)
        {
            var found = ImageLookup.Resolve(call.FindRepository(name), imageId);
            if (found.Image is not { } image)
            {
                throw found.FailureCode == "ImageNotFound"
                    ? new EcrException("ImageNotFoundException", $"The image with imageId {{imageDigest:'{found.Digest ?? "null"}', imageTag:'{found.Tag ?? "null"}'}} does not exist within the repository with name '{name}' in the registry with id '{call.RegistryId}'")
                    : EcrException.InvalidParameter(found.FailureReason ?? "Invalid request parameters: imageId");
            }

            w.WriteString("registryId", call.RegistryId);
            w.WriteString("repositoryName", name);
            w.WriteImageId("imageId", image.Digest, found.Tag);
            w.WriteStartArray("signingStatuses");
            foreach (var (profile, status) in image.SigningStatuses)
            {
                w.WriteStartObject();
                w.WriteString("signingProfileArn", profile);
                w.WriteString("status", status);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        return Task.CompletedTask;
    }

    private static EcrException NotFound(EcrCall call) =>
        new("SigningConfigurationNotFoundException", $"Signing configuration not found for registry '{call.RegistryId}'");

    private static void WriteConfiguration(Utf8JsonWriter w, IReadOnlyList<SigningRule> rules)
    {
        w.WriteStartObject("signingConfiguration");
        w.WriteStartArray("rules");
        foreach (var rule in rules)
        {
            w.WriteStartObject();
            w.WriteString("signingProfileArn", rule.ProfileArn);
            if (rule.Filters.Count > 0)
            {
                w.WriteStartArray("repositoryFilters");
                foreach (var filter in rule.Filters)
                {
                    w.WriteStartObject();
                    w.WriteString("filter", filter);
                    w.WriteString("filterType", "WILDCARD_MATCH");
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
