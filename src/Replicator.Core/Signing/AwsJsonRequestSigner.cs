namespace Replicator.Core.Signing;

/// <summary>
/// Signs a request of the AWS JSON 1.1 protocol (botocore's <c>"protocol": "json"</c>, <c>jsonVersion</c> 1.1): a
/// <c>POST</c> to the endpoint's path with <c>Content-Type: application/x-amz-json-1.1</c> and
/// <c>X-Amz-Target: {targetPrefix}.{Operation}</c>, both signed with <c>host</c> (SigV4 header form,
/// docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html). ECR (<c>AmazonEC2ContainerRegistry_V20150921</c>)
/// and EventBridge (<c>AWSEvents</c>) speak it; each client keeps one instance per endpoint and region, so the
/// <see cref="Clock"/> correction it carries is per endpoint.
/// </summary>
public sealed class AwsJsonRequestSigner
{
    public const string ContentType = "application/x-amz-json-1.1";

    private readonly string _host;
    private readonly string _path;

    /// <param name="signer">The SigV4 signer: its clock, plus the <see cref="Clock"/> correction, dates the signature.</param>
    /// <param name="endpoint">Where requests go: its authority is the signed <c>host</c>, its path the signed path.</param>
    /// <param name="region">The signing region.</param>
    /// <param name="signingService">The signing name of the service (botocore's <c>signingName</c>, else <c>endpointPrefix</c>).</param>
    /// <param name="targetPrefix">The model's <c>targetPrefix</c>, without the trailing dot.</param>
    /// <param name="userAgent">The User-Agent sent (not signed: proxies may rewrite it).</param>
    public AwsJsonRequestSigner(SigV4Signer signer, Uri endpoint, string region, string signingService, string targetPrefix, string userAgent)
    {
        ArgumentNullException.ThrowIfNull(signer);
        Clock = new SigningClock(signer.TimeProvider);
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

    /// <summary>The clock signatures are dated with: the signer's, corrected by what this endpoint's refusals showed.</summary>
    public SigningClock Clock { get; }

    public string Region { get; }

    public string SigningService { get; }

    public string TargetPrefix { get; }

    public string UserAgent { get; }

    /// <summary>The <c>X-Amz-Target</c> of <paramref name="operation"/>.</summary>
    public string Target(string operation) => TargetPrefix + "." + operation;

    /// <summary>
    /// Adds <c>X-Amz-Target</c>, <c>User-Agent</c> and the signature headers (<c>X-Amz-Date</c>, <c>Authorization</c>,
    /// <c>X-Amz-Security-Token</c> for temporary credentials) to <paramref name="request"/>, whose content must be
    /// exactly <paramref name="body"/> with the JSON 1.1 content type. Returns the time the signature is dated with
    /// (what <see cref="SigningClock.TryCorrect"/> compares a refusal's <c>Date</c> with).
    /// </summary>
    public DateTimeOffset Sign(HttpRequestMessage request, string operation, ReadOnlySpan<byte> body, AwsCredentials credentials) =>
        Sign(request, operation, SigV4Signer.Sha256Hex(body), credentials);

    /// <summary>
    /// As <see cref="Sign(HttpRequestMessage, string, ReadOnlySpan{byte}, AwsCredentials)"/>, for a body whose
    /// SHA-256 (lowercase hex) was computed ahead, e.g. while the next layer part was prepared.
    /// </summary>
    public DateTimeOffset Sign(HttpRequestMessage request, string operation, string payloadHash, AwsCredentials credentials)
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
        var signedAt = Clock.UtcNow;
        var signature = SigV4Signer.Sign(new SigV4Request("POST", _path, [], headers, payloadHash), credentials, Region, SigningService, signedAt);

        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        foreach (var (name, value) in signature.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return signedAt;
    }
}
