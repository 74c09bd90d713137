using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Ecr.Paginators;

namespace Replicator.Core.Resilience;

/// <summary>
/// An <see cref="IEcrClient"/> whose every call runs through the one retry policy (<see cref="EcrCallRunner"/>),
/// so call sites stay plain calls (<c>await client.PutImageAsync(request, ct)</c>) and nothing retries twice:
/// go-containerregistry stacks its retry the same way, as a transport decorator. Paginated operations page
/// through this client, so each page is retried, not the walk. Which errors are retried is the classifier's
/// verdict (<see cref="EcrException.IsTransient"/>), never a list of its own. With a PutImage limiter, each PutImage
/// attempt, retries included, passes through it inside the retry policy (<see cref="AdaptiveRateLimiter"/>).
/// </summary>
public sealed class RetryingEcrClient : IEcrClient
{
    private readonly IEcrClient _inner;
    private readonly EcrCallRunner _calls;
    private readonly AdaptiveRateLimiter? _putImageLimiter;
    private readonly string _target;

    /// <param name="target">Where this client's calls go (region or <c>ACCOUNT:REGION</c>), named in retry reports.</param>
    /// <param name="putImageLimiter">The rate limiter of the quota this client's PutImage calls count against; null: unlimited.</param>
    public RetryingEcrClient(IEcrClient inner, EcrCallRunner calls, string target, AdaptiveRateLimiter? putImageLimiter = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _calls = calls ?? throw new ArgumentNullException(nameof(calls));
        _target = target;
        _putImageLimiter = putImageLimiter;
        Paginators = new EcrPaginators(this);
    }

    /// <summary>The undecorated client.</summary>
    public IEcrClient Inner => _inner;

    public IEcrPaginators Paginators { get; }

    public Task<BatchGetImageResponse> BatchGetImageAsync(BatchGetImageRequest request, CancellationToken cancellationToken = default) =>
        _calls.RunAsync("BatchGetImage", _target, (Inner: _inner, Request: request), static (s, ct) => s.Inner.BatchGetImageAsync(s.Request, ct), cancellationToken);

    public Task<BatchCheckLayerAvailabilityResponse> BatchCheckLayerAvailabilityAsync(BatchCheckLayerAvailabilityRequest request, CancellationToken cancellationToken = default) =>
        _calls.RunAsync("BatchCheckLayerAvailability", _target, (Inner: _inner, Request: request), static (s, ct) => s.Inner.BatchCheckLayerAvailabilityAsync(s.Request, ct), cancellationToken);

    public Task<GetDownloadUrlForLayerResponse> GetDownloadUrlForLayerAsync(GetDownloadUrlForLayerRequest request, CancellationToken cancellationToken = default) =>
        _calls.RunAsync("GetDownloadUrlForLayer", _target, (Inner: _inner, Request: request), static (s, ct) => s.Inner.GetDownloadUrlForLayerAsync(s.Request, ct), cancellationToken);

    public Task<InitiateLayerUploadResponse> InitiateLayerUploadAsync(InitiateLayerUploadRequest request, CancellationToken cancellationToken = default) =>
        _calls.RunAsync("InitiateLayerUpload", _target, (Inner: _inner, Request: request), static (s, ct) => s.Inner.InitiateLayerUploadAsync(s.Request, ct), cancellationToken);

    public Task<UploadLayerPartResponse> UploadLayerPartAsync(UploadLayerPartRequest request, CancellationToken cancellationToken = default) =>
        _calls.RunAsync("UploadLayerPart", _target, (Inner: _inner, Request: request), static (s, ct) => s.Inner.UploadLayerPartAsync(s.Request, ct), cancellationToken);

    public Task<CompleteLayerUploadResponse> CompleteLayerUploadAsync(CompleteLayerUploadRequest request, CancellationToken cancellationToken = default) =>
        _calls.RunAsync("CompleteLayerUpload", _target, (Inner: _inner, Request: request), static (s, ct) => s.Inner.CompleteLayerUploadAsync(s.Request, ct), cancellationToken);

    public Task<PutImageResponse> PutImageAsync(PutImageRequest request, CancellationToken cancellationToken = default) =>
        _calls.RunAsync(
            "PutImage",
            _target,
            (Inner: _inner, Request: request, Limiter: _putImageLimiter),
            static (s, ct) => s.Limiter is null
                ? s.Inner.PutImageAsync(s.Request, ct)
                : s.Limiter.RunAsync(s, static (s, ct) => s.Inner.PutImageAsync(s.Request, ct), ct),
            cancellationToken);

    public Task<CreateRepositoryResponse> CreateRepositoryAsync(CreateRepositoryRequest request, CancellationToken cancellationToken = default) =>
        _calls.RunAsync("CreateRepository", _target, (Inner: _inner, Request: request), static (s, ct) => s.Inner.CreateRepositoryAsync(s.Request, ct), cancellationToken);

    public Task<DescribeRepositoriesResponse> DescribeRepositoriesAsync(DescribeRepositoriesRequest request, CancellationToken cancellationToken = default) =>
        _calls.RunAsync("DescribeRepositories", _target, (Inner: _inner, Request: request), static (s, ct) => s.Inner.DescribeRepositoriesAsync(s.Request, ct), cancellationToken);

    public Task<DescribeImagesResponse> DescribeImagesAsync(DescribeImagesRequest request, CancellationToken cancellationToken = default) =>
        _calls.RunAsync("DescribeImages", _target, (Inner: _inner, Request: request), static (s, ct) => s.Inner.DescribeImagesAsync(s.Request, ct), cancellationToken);

    public Task<ListImagesResponse> ListImagesAsync(ListImagesRequest request, CancellationToken cancellationToken = default) =>
        _calls.RunAsync("ListImages", _target, (Inner: _inner, Request: request), static (s, ct) => s.Inner.ListImagesAsync(s.Request, ct), cancellationToken);

    public Task<BatchDeleteImageResponse> BatchDeleteImageAsync(BatchDeleteImageRequest request, CancellationToken cancellationToken = default) =>
        _calls.RunAsync("BatchDeleteImage", _target, (Inner: _inner, Request: request), static (s, ct) => s.Inner.BatchDeleteImageAsync(s.Request, ct), cancellationToken);

    public Task<GetLifecyclePolicyResponse> GetLifecyclePolicyAsync(GetLifecyclePolicyRequest request, CancellationToken cancellationToken = default) =>
        _calls.RunAsync("GetLifecyclePolicy", _target, (Inner: _inner, Request: request), static (s, ct) => s.Inner.GetLifecyclePolicyAsync(s.Request, ct), cancellationToken);

    public Task<PutLifecyclePolicyResponse> PutLifecyclePolicyAsync(PutLifecyclePolicyRequest request, CancellationToken cancellationToken = default) =>
        _calls.RunAsync("PutLifecyclePolicy", _target, (Inner: _inner, Request: request), static (s, ct) => s.Inner.PutLifecyclePolicyAsync(s.Request, ct), cancellationToken);

    public Task<GetRepositoryPolicyResponse> GetRepositoryPolicyAsync(GetRepositoryPolicyRequest request, CancellationToken cancellationToken = default) =>
        _calls.RunAsync("GetRepositoryPolicy", _target, (Inner: _inner, Request: request), static (s, ct) => s.Inner.GetRepositoryPolicyAsync(s.Request, ct), cancellationToken);

    public Task<SetRepositoryPolicyResponse> SetRepositoryPolicyAsync(SetRepositoryPolicyRequest request, CancellationToken cancellationToken = default) =>
        _calls.RunAsync("SetRepositoryPolicy", _target, (Inner: _inner, Request: request), static (s, ct) => s.Inner.SetRepositoryPolicyAsync(s.Request, ct), cancellationToken);

    public Task<ListTagsForResourceResponse> ListTagsForResourceAsync(ListTagsForResourceRequest request, CancellationToken cancellationToken = default) =>
        _calls.RunAsync("ListTagsForResource", _target, (Inner: _inner, Request: request), static (s, ct) => s.Inner.ListTagsForResourceAsync(s.Request, ct), cancellationToken);

    public Task<UntagResourceResponse> UntagResourceAsync(UntagResourceRequest request, CancellationToken cancellationToken = default) =>
        _calls.RunAsync("UntagResource", _target, (Inner: _inner, Request: request), static (s, ct) => s.Inner.UntagResourceAsync(s.Request, ct), cancellationToken);

    public Task<GetAuthorizationTokenResponse> GetAuthorizationTokenAsync(GetAuthorizationTokenRequest request, CancellationToken cancellationToken = default) =>
        _calls.RunAsync("GetAuthorizationToken", _target, (Inner: _inner, Request: request), static (s, ct) => s.Inner.GetAuthorizationTokenAsync(s.Request, ct), cancellationToken);

    public Task<ListImageReferrersResponse> ListImageReferrersAsync(ListImageReferrersRequest request, CancellationToken cancellationToken = default) =>
        _calls.RunAsync("ListImageReferrers", _target, (Inner: _inner, Request: request), static (s, ct) => s.Inner.ListImageReferrersAsync(s.Request, ct), cancellationToken);

    public Task<DescribeImageSigningStatusResponse> DescribeImageSigningStatusAsync(DescribeImageSigningStatusRequest request, CancellationToken cancellationToken = default) =>
        _calls.RunAsync("DescribeImageSigningStatus", _target, (Inner: _inner, Request: request), static (s, ct) => s.Inner.DescribeImageSigningStatusAsync(s.Request, ct), cancellationToken);
}
