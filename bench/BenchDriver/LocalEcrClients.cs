using System.Net.Http.Headers;
using System.Text;
using Replicator.Core.Configuration;
using Replicator.Core.Ecr;
using Replicator.Core.Signing;
using Replicator.Samples;

namespace BenchDriver;

/// <summary>ECR clients for a LocalEcr endpoint (test/test keys), plus the two calls the engine's client lacks.</summary>
internal sealed class LocalEcrClients : IDisposable
{
    private static readonly AwsCredentials Credentials = new("test", "test");
    private readonly HttpClient _http = EcrClientFactory.CreateHttpClient();
    private readonly EcrClientFactory _factory;
    private readonly Uri _endpoint;

    public LocalEcrClients(string endpoint)
    {
        _endpoint = new Uri(endpoint.TrimEnd('/') + "/");
        var env = new InMemoryEnvironmentVariables(new Dictionary<string, string> { ["AWS_ENDPOINT_URL_ECR"] = _endpoint.ToString() });
        _factory = new EcrClientFactory(_http, new StaticCredentialsSource(Credentials), env);
    }

    public IEcrClient Region(string region) => _factory.GetClient(region);

    /// <summary>DeleteRepository with force (LocalEcr supports it): the destination is empty again, so the next copy is a first copy.</summary>
    public async Task DeleteRepositoryAsync(string region, string repository)
    {
        var body = Encoding.UTF8.GetBytes($"{{\"repositoryName\":\"{repository}\",\"force\":true}}");
        const string target = EcrClient.TargetPrefix + "DeleteRepository";
        var headers = new List<KeyValuePair<string, string>>
        {
            new("host", _endpoint.Authority),
            new("content-type", EcrClient.ContentType),
            new("x-amz-target", target),
        };
        var signature = SigV4Signer.Sign(new SigV4Request("POST", "/", [], headers, SigV4Signer.Sha256Hex(body)), Credentials, region, "ecr", DateTimeOffset.UtcNow);
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(EcrClient.ContentType);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        foreach (var header in signature.Headers)
        {
            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode && !text.Contains("RepositoryNotFoundException", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"DeleteRepository answered {(int)response.StatusCode}: {text}");
        }
    }

    public async Task ResetCallsAsync()
    {
        using var content = new StringContent("{}");
        using var response = await _http.PostAsync(new Uri(_endpoint, "_localecr/reset-calls"), content);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The raw `{"calls":[{"region","operation","count"}]}` document.</summary>
    public Task<string> CallsAsync() => _http.GetStringAsync(new Uri(_endpoint, "_localecr/calls"));

    public void Dispose() => _http.Dispose();
}
