using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Replicator.Core.Ecr;
using Replicator.Core.Signing;

namespace Replicator.Testing;

/// <summary>
/// Archives or restores an image through ECR's UpdateImageStorageClass, which the replicator itself never calls (so its
/// client has no such operation): a signed AWS JSON 1.1 request, as the AWS CLI's <c>ecr update-image-storage-class</c> sends.
/// </summary>
public static class EcrArchiver
{
    public static Task ArchiveAsync(HttpClient http, Uri endpoint, string region, string repository, string digest, AwsCredentials? credentials = null) =>
        UpdateAsync(http, endpoint, region, repository, digest, "ARCHIVE", credentials);

    public static Task RestoreAsync(HttpClient http, Uri endpoint, string region, string repository, string digest, AwsCredentials? credentials = null) =>
        UpdateAsync(http, endpoint, region, repository, digest, "STANDARD", credentials);

    private static async Task UpdateAsync(HttpClient http, Uri endpoint, string region, string repository, string digest, string storageClass, AwsCredentials? credentials)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["repositoryName"] = repository,
            ["imageId"] = new Dictionary<string, string> { ["imageDigest"] = digest },
            ["targetStorageClass"] = storageClass,
        });
        var target = EcrClient.TargetPrefix + "UpdateImageStorageClass";
        var host = endpoint.IsDefaultPort ? endpoint.Host : $"{endpoint.Host}:{endpoint.Port}";
        var signature = new SigV4Signer(TimeProvider.System).Sign(
            new SigV4Request("POST", "/", [], [new("host", host), new("content-type", EcrClient.ContentType), new("x-amz-target", target)], SigV4Signer.Sha256Hex(body)),
            credentials ?? new AwsCredentials("test", "test"),
            region,
            EcrClient.SigningService);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(EcrClient.ContentType);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        foreach (var (name, value) in signature.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"UpdateImageStorageClass {storageClass} failed: {(int)response.StatusCode} {text}");
        }
    }
}
