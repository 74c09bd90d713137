using Replicator.Core.Ecr.Http;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Ecr.Serialization;

namespace Replicator.Core.Ecr;

/// <summary>The operations: each serializes its request with <see cref="EcrJsonContext"/> and sends it.</summary>
public sealed partial class EcrClient
{
    public Task<BatchGetImageResponse> BatchGetImageAsync(BatchGetImageRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync("BatchGetImage", request, EcrJsonContext.Default.BatchGetImageRequest, EcrJsonContext.Default.BatchGetImageResponse, cancellationToken);

    public Task<BatchCheckLayerAvailabilityResponse> BatchCheckLayerAvailabilityAsync(BatchCheckLayerAvailabilityRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync("BatchCheckLayerAvailability", request, EcrJsonContext.Default.BatchCheckLayerAvailabilityRequest, EcrJsonContext.Default.BatchCheckLayerAvailabilityResponse, cancellationToken);

    public Task<GetDownloadUrlForLayerResponse> GetDownloadUrlForLayerAsync(GetDownloadUrlForLayerRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync("GetDownloadUrlForLayer", request, EcrJsonContext.Default.GetDownloadUrlForLayerRequest, EcrJsonContext.Default.GetDownloadUrlForLayerResponse, cancellationToken);

    public Task<InitiateLayerUploadResponse> InitiateLayerUploadAsync(InitiateLayerUploadRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync("InitiateLayerUpload", request, EcrJsonContext.Default.InitiateLayerUploadRequest, EcrJsonContext.Default.InitiateLayerUploadResponse, cancellationToken);

    public Task<UploadLayerPartResponse> UploadLayerPartAsync(UploadLayerPartRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.EncodedPart is { } part
            ? SendEncodedPartAsync("UploadLayerPart", request, part, EcrJsonContext.Default.UploadLayerPartResponse, cancellationToken)
            : SendAsync("UploadLayerPart", EcrRequestBody.SerializeUploadLayerPart(request), EcrJsonContext.Default.UploadLayerPartResponse, cancellationToken);
    }

    public Task<CompleteLayerUploadResponse> CompleteLayerUploadAsync(CompleteLayerUploadRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync("CompleteLayerUpload", request, EcrJsonContext.Default.CompleteLayerUploadRequest, EcrJsonContext.Default.CompleteLayerUploadResponse, cancellationToken);

    public Task<PutImageResponse> PutImageAsync(PutImageRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync("PutImage", request, EcrJsonContext.Default.PutImageRequest, EcrJsonContext.Default.PutImageResponse, cancellationToken);

    public Task<CreateRepositoryResponse> CreateRepositoryAsync(CreateRepositoryRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync("CreateRepository", request, EcrJsonContext.Default.CreateRepositoryRequest, EcrJsonContext.Default.CreateRepositoryResponse, cancellationToken);

    public Task<DescribeRepositoriesResponse> DescribeRepositoriesAsync(DescribeRepositoriesRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync("DescribeRepositories", request, EcrJsonContext.Default.DescribeRepositoriesRequest, EcrJsonContext.Default.DescribeRepositoriesResponse, cancellationToken);

    public Task<DescribeImagesResponse> DescribeImagesAsync(DescribeImagesRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync("DescribeImages", request, EcrJsonContext.Default.DescribeImagesRequest, EcrJsonContext.Default.DescribeImagesResponse, cancellationToken);

    public Task<ListImagesResponse> ListImagesAsync(ListImagesRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync("ListImages", request, EcrJsonContext.Default.ListImagesRequest, EcrJsonContext.Default.ListImagesResponse, cancellationToken);

    public Task<BatchDeleteImageResponse> BatchDeleteImageAsync(BatchDeleteImageRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync("BatchDeleteImage", request, EcrJsonContext.Default.BatchDeleteImageRequest, EcrJsonContext.Default.BatchDeleteImageResponse, cancellationToken);

    public Task<GetLifecyclePolicyResponse> GetLifecyclePolicyAsync(GetLifecyclePolicyRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync("GetLifecyclePolicy", request, EcrJsonContext.Default.GetLifecyclePolicyRequest, EcrJsonContext.Default.GetLifecyclePolicyResponse, cancellationToken);

    public Task<PutLifecyclePolicyResponse> PutLifecyclePolicyAsync(PutLifecyclePolicyRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync("PutLifecyclePolicy", request, EcrJsonContext.Default.PutLifecyclePolicyRequest, EcrJsonContext.Default.PutLifecyclePolicyResponse, cancellationToken);

    public Task<GetRepositoryPolicyResponse> GetRepositoryPolicyAsync(GetRepositoryPolicyRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync("GetRepositoryPolicy", request, EcrJsonContext.Default.GetRepositoryPolicyRequest, EcrJsonContext.Default.GetRepositoryPolicyResponse, cancellationToken);

    public Task<SetRepositoryPolicyResponse> SetRepositoryPolicyAsync(SetRepositoryPolicyRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync("SetRepositoryPolicy", request, EcrJsonContext.Default.SetRepositoryPolicyRequest, EcrJsonContext.Default.SetRepositoryPolicyResponse, cancellationToken);

    public Task<ListTagsForResourceResponse> ListTagsForResourceAsync(ListTagsForResourceRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync("ListTagsForResource", request, EcrJsonContext.Default.ListTagsForResourceRequest, EcrJsonContext.Default.ListTagsForResourceResponse, cancellationToken);

    public Task<UntagResourceResponse> UntagResourceAsync(UntagResourceRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync("UntagResource", request, EcrJsonContext.Default.UntagResourceRequest, EcrJsonContext.Default.UntagResourceResponse, cancellationToken);

    public Task<GetAuthorizationTokenResponse> GetAuthorizationTokenAsync(GetAuthorizationTokenRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync("GetAuthorizationToken", request, EcrJsonContext.Default.GetAuthorizationTokenRequest, EcrJsonContext.Default.GetAuthorizationTokenResponse, cancellationToken);

    public Task<ListImageReferrersResponse> ListImageReferrersAsync(ListImageReferrersRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync("ListImageReferrers", request, EcrJsonContext.Default.ListImageReferrersRequest, EcrJsonContext.Default.ListImageReferrersResponse, cancellationToken);

    public Task<DescribeImageSigningStatusResponse> DescribeImageSigningStatusAsync(DescribeImageSigningStatusRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync("DescribeImageSigningStatus", request, EcrJsonContext.Default.DescribeImageSigningStatusRequest, EcrJsonContext.Default.DescribeImageSigningStatusResponse, cancellationToken);
}
