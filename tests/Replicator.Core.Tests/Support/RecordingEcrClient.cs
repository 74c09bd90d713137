using System.Collections.Concurrent;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Ecr.Paginators;

namespace Replicator.Core.Tests;

/// <summary>
/// An <see cref="IEcrClient"/> that records the operation of every call it passes on (paginated walks page through
/// it), and can answer DescribeImages as a registry that does not fill <c>subjectManifestDigest</c> would.
/// </summary>
internal sealed class RecordingEcrClient : IEcrClient
{
    private readonly IEcrClient _inner;

    public RecordingEcrClient(IEcrClient inner)
    {
        _inner = inner;
        Paginators = new EcrPaginators(this);
    }

    public IEcrPaginators Paginators { get; }

    /// <summary>Every call, in order: the operation and the repository it named (null for an operation that names none).</summary>
    public ConcurrentQueue<(string Operation, string? Repository)> Calls { get; } = new();

    /// <summary>True: DescribeImages answers without <c>subjectManifestDigest</c>.</summary>
    public bool WithoutSubjects { get; set; }

    public int Count(string operation) => Calls.Count(c => c.Operation == operation);

    public Task<BatchGetImageResponse> BatchGetImageAsync(BatchGetImageRequest request, CancellationToken cancellationToken = default) =>
        Pass("BatchGetImage", request.RepositoryName, () => _inner.BatchGetImageAsync(request, cancellationToken));

    public Task<BatchCheckLayerAvailabilityResponse> BatchCheckLayerAvailabilityAsync(BatchCheckLayerAvailabilityRequest request, CancellationToken cancellationToken = default) =>
        Pass("BatchCheckLayerAvailability", request.RepositoryName, () => _inner.BatchCheckLayerAvailabilityAsync(request, cancellationToken));

    public Task<GetDownloadUrlForLayerResponse> GetDownloadUrlForLayerAsync(GetDownloadUrlForLayerRequest request, CancellationToken cancellationToken = default) =>
        Pass("GetDownloadUrlForLayer", request.RepositoryName, () => _inner.GetDownloadUrlForLayerAsync(request, cancellationToken));

    public Task<InitiateLayerUploadResponse> InitiateLayerUploadAsync(InitiateLayerUploadRequest request, CancellationToken cancellationToken = default) =>
        Pass("InitiateLayerUpload", request.RepositoryName, () => _inner.InitiateLayerUploadAsync(request, cancellationToken));

    public Task<UploadLayerPartResponse> UploadLayerPartAsync(UploadLayerPartRequest request, CancellationToken cancellationToken = default) =>
        Pass("UploadLayerPart", request.RepositoryName, () => _inner.UploadLayerPartAsync(request, cancellationToken));

    public Task<CompleteLayerUploadResponse> CompleteLayerUploadAsync(CompleteLayerUploadRequest request, CancellationToken cancellationToken = default) =>
        Pass("CompleteLayerUpload", request.RepositoryName, () => _inner.CompleteLayerUploadAsync(request, cancellationToken));

    public Task<PutImageResponse> PutImageAsync(PutImageRequest request, CancellationToken cancellationToken = default) =>
        Pass("PutImage", request.RepositoryName, () => _inner.PutImageAsync(request, cancellationToken));

    public Task<CreateRepositoryResponse> CreateRepositoryAsync(CreateRepositoryRequest request, CancellationToken cancellationToken = default) =>
        Pass("CreateRepository", request.RepositoryName, () => _inner.CreateRepositoryAsync(request, cancellationToken));

    public Task<DescribeRepositoriesResponse> DescribeRepositoriesAsync(DescribeRepositoriesRequest request, CancellationToken cancellationToken = default) =>
        Pass("DescribeRepositories", null, () => _inner.DescribeRepositoriesAsync(request, cancellationToken));

    public async Task<DescribeImagesResponse> DescribeImagesAsync(DescribeImagesRequest request, CancellationToken cancellationToken = default)
    {
        Record("DescribeImages", request.RepositoryName);
        var response = await _inner.DescribeImagesAsync(request, cancellationToken);
        if (WithoutSubjects)
        {
            (response.ImageDetails ?? []).ForEach(d => d.SubjectManifestDigest = null);
        }

        return response;
    }

    public Task<ListImagesResponse> ListImagesAsync(ListImagesRequest request, CancellationToken cancellationToken = default) =>
        Pass("ListImages", request.RepositoryName, () => _inner.ListImagesAsync(request, cancellationToken));

    public Task<BatchDeleteImageResponse> BatchDeleteImageAsync(BatchDeleteImageRequest request, CancellationToken cancellationToken = default) =>
        Pass("BatchDeleteImage", request.RepositoryName, () => _inner.BatchDeleteImageAsync(request, cancellationToken));

    public Task<GetLifecyclePolicyResponse> GetLifecyclePolicyAsync(GetLifecyclePolicyRequest request, CancellationToken cancellationToken = default) =>
        Pass("GetLifecyclePolicy", request.RepositoryName, () => _inner.GetLifecyclePolicyAsync(request, cancellationToken));

    public Task<PutLifecyclePolicyResponse> PutLifecyclePolicyAsync(PutLifecyclePolicyRequest request, CancellationToken cancellationToken = default) =>
        Pass("PutLifecyclePolicy", request.RepositoryName, () => _inner.PutLifecyclePolicyAsync(request, cancellationToken));

    public Task<GetRepositoryPolicyResponse> GetRepositoryPolicyAsync(GetRepositoryPolicyRequest request, CancellationToken cancellationToken = default) =>
        Pass("GetRepositoryPolicy", request.RepositoryName, () => _inner.GetRepositoryPolicyAsync(request, cancellationToken));

    public Task<SetRepositoryPolicyResponse> SetRepositoryPolicyAsync(SetRepositoryPolicyRequest request, CancellationToken cancellationToken = default) =>
        Pass("SetRepositoryPolicy", request.RepositoryName, () => _inner.SetRepositoryPolicyAsync(request, cancellationToken));

    public Task<ListTagsForResourceResponse> ListTagsForResourceAsync(ListTagsForResourceRequest request, CancellationToken cancellationToken = default) =>
        Pass("ListTagsForResource", null, () => _inner.ListTagsForResourceAsync(request, cancellationToken));

    public Task<UntagResourceResponse> UntagResourceAsync(UntagResourceRequest request, CancellationToken cancellationToken = default) =>
        Pass("UntagResource", null, () => _inner.UntagResourceAsync(request, cancellationToken));

    public Task<GetAuthorizationTokenResponse> GetAuthorizationTokenAsync(GetAuthorizationTokenRequest request, CancellationToken cancellationToken = default) =>
        Pass("GetAuthorizationToken", null, () => _inner.GetAuthorizationTokenAsync(request, cancellationToken));

    public Task<ListImageReferrersResponse> ListImageReferrersAsync(ListImageReferrersRequest request, CancellationToken cancellationToken = default) =>
        Pass("ListImageReferrers", request.RepositoryName, () => _inner.ListImageReferrersAsync(request, cancellationToken));

    public Task<DescribeImageSigningStatusResponse> DescribeImageSigningStatusAsync(DescribeImageSigningStatusRequest request, CancellationToken cancellationToken = default) =>
        Pass("DescribeImageSigningStatus", request.RepositoryName, () => _inner.DescribeImageSigningStatusAsync(request, cancellationToken));

    private T Pass<T>(string operation, string? repository, Func<T> call)
    {
        Record(operation, repository);
        return call();
    }

    private void Record(string operation, string? repository = null) => Calls.Enqueue((operation, repository));
}
