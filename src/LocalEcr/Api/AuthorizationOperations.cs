using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LocalEcr.Json;

namespace LocalEcr.Api;

/// <summary>GetAuthorizationToken: a random registry password for user "AWS", valid 12 hours as in ECR.</summary>
internal static class AuthorizationOperations
{
    private static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(12);

    public static Task GetAuthorizationToken(EcrCall call, Utf8JsonWriter w)
    {
        var ids = call.Body.StringArray("registryIds");
        if (ids.Count == 0)
        {
            ids.Add(call.RegistryId);
        }

        // The registry host of the region's partition, as in repositoryUri (aws-eusc: amazonaws.eu, aws-iso: c2s.ic.gov).
        var suffix = RegionPartition.DnsSuffixOf(call.Region);
        w.WriteStartArray("authorizationData");
        foreach (var id in ids)
        {
            var registryId = Validate.RegistryId(id, call.RegistryId);
            var password = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(48));
            w.WriteStartObject();
            w.WriteString("authorizationToken", Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:" + password)));
            w.WriteTimestamp("expiresAt", call.Now + TokenLifetime);
            w.WriteString("proxyEndpoint", $"https://{registryId}.dkr.ecr.{call.Region}.{suffix}");
            w.WriteEndObject();
        }

        w.WriteEndArray();
        return Task.CompletedTask;
    }
}
