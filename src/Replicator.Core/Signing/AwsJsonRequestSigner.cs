namespace Replicator.Core.Signing;

/// <summary>
/// Signs a request of the AWS JSON 1.1 protocol (botocore's <c>"protocol": "json"</c>, <c>jsonVersion</c> 1.1): a
/// <c>POST</c> to the endpoint's path with <c>Content-Type: application/x-amz-json-1.1</c> and
/// <c>X-Amz-Target: {targetPrefix}.{Operation}</c>, both signed with <c>host</c> (SigV4 header form,
/// docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html). ECR (<c>AmazonEC2ContainerRegistry_V20150921</c>)
/// and EventBridge (<c>AWSEvents</c>) speak it; each client keeps one instance per endpoint and region.
/// </summary>
public sealed class AwsJsonRequestSigner
{
    public const string ContentType = "application/x-amz-json-1.1";

    private readonly SigV4Signer _signer;
    private readonly string _host;
    private readonly string _path;

    /// <param name="signer">The SigV4 signer (its clock dates the signature).</param>
    /// <param name="endpoint">Where requests go: its authority is the signed <c>host</c>, its path the signed path.</param>
    /// <param name="region">The signing region.</param>
    /// <param name="signingService">The signing name of the service (botocore's <c>signingName</c>, else <c>endpointPrefix</c>).</param>
    /// <param name="targetPrefix">The model's <c>targetPrefix</c>, without the trailing dot.</param>
    /// <param name="userAgent">The User-Agent sent (not signed: proxies may rewrite it).</param>
    public AwsJsonRequestSigner(SigV4Signer signer, Uri endpoint, string region, string signingService, string targetPrefix, string userAgent)
    {
        _signer = signer ?? throw new ArgumentNullException(nameof(signer));
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentException.ThrowIfNullOrEmpty(region);
        ArgumentException.ThrowIfNullOrEmpty(signingService);
        ArgumentException.ThrowIfNullOrEmpty(targetPrefix);
        ArgumentException.ThrowIfNullOrEmpty(userAgent);
        _host = endpoint.Authority;
        _path = string.IsNullOrEmpty(endpoint.AbsolutePath) ? "/" : endpoint.AbsolutePath;
        Region = region;
        SigningService = signingService;
        TargetPrefix = targetPrefix.TrimEnd('.');
        UserAgent = userAgent;
    }

    public string Region { get; }

    public string SigningService { get; }

    public string TargetPrefix { get; }

    public string UserAgent { get; }

    /// <summary>The <c>X-Amz-Target</c> of <paramref name="operation"/>.</summary>
    public string Target(string operation) => TargetPrefix + "." + operation;

    /// <summary>
    /// Adds <c>X-Amz-Target</c>, <c>User-Agent</c> and the signature headers (<c>X-Amz-Date</c>, <c>Authorization</c>,
    /// <c>X-Amz-Security-Token</c> for temporary credentials) to <paramref name="request"/>, whose content must be
    /// exactly <paramref name="body"/> with the JSON 1.1 content type.
    /// </summary>
    public void Sign(HttpRequestMessage request, string operation, ReadOnlySpan<byte> body, AwsCredentials credentials) =>
        Sign(request, operation, SigV4Signer.Sha256Hex(body), credentials);

    /// <summary>
    /// As <see cref="Sign(HttpRequestMessage, string, ReadOnlySpan{byte}, AwsCredentials)"/>, for a body whose
    /// SHA-256 (lowercase hex) was computed ahead, e.g. while the next layer part was prepared.
    /// </summary>
    public void Sign(HttpRequestMessage request, string operation, string payloadHash, AwsCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(payloadHash);
        ArgumentException.ThrowIfNullOrEmpty(operation);
        var target = Target(operation);
        KeyValuePair<string, string>[] headers =
        [
            new("host", _host),
            new("content-type", ContentType),
            new("x-amz-target", target),
        ];
        var signature = _signer.Sign(new SigV4Request("POST", _path, [], headers, payloadHash), credentials, Region, SigningService);

        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        foreach (var (name, value) in signature.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
    }
}
