using System.Net.Http.Headers;
using System.Text.Json;
using Replicator.Core.Ecr;
using Replicator.Core.Signing;

namespace Replicator.Testing;

/// <summary>
/// An ECR operation the replicator's client has no method for (it never calls it): a signed AWS JSON 1.1 request, as
/// the AWS CLI sends, for tests that set up what a user would (archive an image, configure managed signing).
/// </summary>
public static class EcrRawCall
{
    /// <summary>Sends <paramref name="body"/> to <paramref name="operation"/>; a refusal throws with ECR's answer.</summary>
    public static async Task<JsonDocument> InvokeAsync(HttpClient http, Uri endpoint, string region, string operation, object body, AwsCredentials? credentials = null)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body);
        var target = EcrClient.TargetPrefix + operation;
        var host = endpoint.IsDefaultPort ? endpoint.Host : $"{endpoint.Host}:{endpoint.Port}";
        var signature = new SigV4Signer(TimeProvider.System).Sign(
            new SigV4Request("POST", "/", [], [new("host", host), new("content-type", EcrClient.ContentType), new("x-amz-target", target)], SigV4Signer.Sha256Hex(bytes)),
            credentials ?? new AwsCredentials("test", "test"),
            region,
            EcrClient.SigningService);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(bytes) };
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
            throw new InvalidOperationException($"{operation} failed: {(int)response.StatusCode} {text}");
        }

        return JsonDocument.Parse(text);
    }
}
