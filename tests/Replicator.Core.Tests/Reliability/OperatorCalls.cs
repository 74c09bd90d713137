using System.Net.Http.Headers;
using System.Text;
using LocalEcr;
using Replicator.Core.Ecr;
using Replicator.Core.Signing;

namespace Replicator.Core.Tests.Reliability;

/// <summary>Calls an operator makes that the engine's client has no method for, signed as the AWS CLI would.</summary>
internal static class OperatorCalls
{
    public static async Task DeleteRepositoryAsync(LocalEcrServer server, HttpClient http, string region, string repository)
    {
        var body = Encoding.UTF8.GetBytes($"{{\"repositoryName\":\"{repository}\",\"force\":true}}");
        var target = EcrClient.TargetPrefix + "DeleteRepository";
        KeyValuePair<string, string>[] headers = [new("host", server.BaseAddress.Authority), new("x-amz-target", target)];
        var signature = SigV4Signer.Sign(new SigV4Request("POST", "/", [], headers, SigV4Signer.Sha256Hex(body)), new AwsCredentials("test", "test"), region, EcrClient.SigningService, DateTimeOffset.UtcNow);
        using var request = new HttpRequestMessage(HttpMethod.Post, server.BaseAddress) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(EcrClient.ContentType);
        request.Headers.Add("X-Amz-Target", target);
        foreach (var (name, value) in signature.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }
}
