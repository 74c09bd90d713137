using Replicator.Core.Ecr.Model;

namespace Replicator.Core.Ecr;

/// <summary>
/// The ECR API operations the replicator uses, with the names and shapes of AWSSDK.ECR's <c>IAmazonECR</c>,
/// so that moving to the official package is mechanical. Failures throw <see cref="EcrException"/>;
/// cancellation through the token throws <see cref="OperationCanceledException"/>.
/// </summary>
public interface IEcrClient
{
    /// <summary>Async enumerations over the paginated operations.</summary>
    IEcrPaginators Paginators { get; }

    Task<BatchGetImageResponse> BatchGetImageAsync(BatchGetImageRequest request, CancellationToken cancellationToken = default);

    Task<BatchCheckLayerAvailabilityResponse> BatchCheckLayerAvailabilityAsync(BatchCheckLayerAvailabilityRequest request, CancellationToken cancellationToken = default);

    Task<GetDownloadUrlForLayerResponse> GetDownloadUrlForLayerAsync(GetDownloadUrlForLayerRequest request, CancellationToken cancellationToken = default);

    Task<InitiateLayerUploadResponse> InitiateLayerUploadAsync(InitiateLayerUploadRequest request, CancellationToken cancellationToken = default);

    Task<UploadLayerPartResponse> UploadLayerPartAsync(UploadLayerPartRequest request, CancellationToken cancellationToken = default);

    Task<CompleteLayerUploadResponse> CompleteLayerUploadAsync(CompleteLayerUploadRequest request, CancellationToken cancellationToken = default);

    Task<PutImageResponse> PutImageAsync(PutImageRequest request, CancellationToken cancellationToken = default);

    Task<CreateRepositoryResponse> CreateRepositoryAsync(CreateRepositoryRequest request, CancellationToken cancellationToken = default);

    Task<DescribeRepositoriesResponse> DescribeRepositoriesAsync(DescribeRepositoriesRequest request, CancellationToken cancellationToken = default);

    Task<DescribeImagesResponse> DescribeImagesAsync(DescribeImagesRequest request, CancellationToken cancellationToken = default);

    Task<ListImagesResponse> ListImagesAsync(ListImagesRequest request, CancellationToken cancellationToken = default);

    Task<BatchDeleteImageResponse> BatchDeleteImageAsync(BatchDeleteImageRequest request, CancellationToken cancellationToken = default);

    Task<GetLifecyclePolicyResponse> GetLifecyclePolicyAsync(GetLifecyclePolicyRequest request, CancellationToken cancellationToken = default);

    Task<PutLifecyclePolicyResponse> PutLifecyclePolicyAsync(PutLifecyclePolicyRequest request, CancellationToken cancellationToken = default);

    Task<GetRepositoryPolicyResponse> GetRepositoryPolicyAsync(GetRepositoryPolicyRequest request, CancellationToken cancellationToken = default);

    Task<SetRepositoryPolicyResponse> SetRepositoryPolicyAsync(SetRepositoryPolicyRequest request, CancellationToken cancellationToken = default);

    Task<ListTagsForResourceResponse> ListTagsForResourceAsync(ListTagsForResourceRequest request, CancellationToken cancellationToken = default);

    Task<UntagResourceResponse> UntagResourceAsync(UntagResourceRequest request, CancellationToken cancellationToken = default);

    Task<GetAuthorizationTokenResponse> GetAuthorizationTokenAsync(GetAuthorizationTokenRequest request, CancellationToken cancellationToken = default);

    Task<ListImageReferrersResponse> ListImageReferrersAsync(ListImageReferrersRequest request, CancellationToken cancellationToken = default);

    /// <summary>Managed signing: the signing status of an image, one per signing profile whose rule matched it.</summary>
    Task<DescribeImageSigningStatusResponse> DescribeImageSigningStatusAsync(DescribeImageSigningStatusRequest request, CancellationToken cancellationToken = default);
}
