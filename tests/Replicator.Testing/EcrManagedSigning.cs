using Replicator.Core.Signing;

namespace Replicator.Testing;

/// <summary>
/// Turns on ECR's managed signing in a registry (PutSigningConfiguration, which the replicator never calls), as
/// <c>aws ecr put-signing-configuration</c> does.
/// </summary>
public static class EcrManagedSigning
{
    /// <summary>One rule signing with <paramref name="profileArn"/> the pushes to the repositories its WILDCARD_MATCH filters select (every repository when none is given).</summary>
    public static Task ConfigureAsync(HttpClient http, Uri endpoint, string region, string profileArn, params string[] filters) =>
        ConfigureAsync(http, endpoint, region, null, profileArn, filters);

    /// <summary>As above, signed with <paramref name="credentials"/> (the registry's account; null: LocalEcr's default keys).</summary>
    public static async Task ConfigureAsync(HttpClient http, Uri endpoint, string region, AwsCredentials? credentials, string profileArn, params string[] filters)
    {
        var rule = new Dictionary<string, object> { ["signingProfileArn"] = profileArn };
        if (filters.Length > 0)
        {
            rule["repositoryFilters"] = filters.Select(f => new Dictionary<string, string> { ["filter"] = f, ["filterType"] = "WILDCARD_MATCH" }).ToArray();
        }

        using var answer = await EcrRawCall.InvokeAsync(http, endpoint, region, "PutSigningConfiguration", new Dictionary<string, object>
        {
            ["signingConfiguration"] = new Dictionary<string, object> { ["rules"] = new[] { rule } },
        }, credentials);
    }
}
