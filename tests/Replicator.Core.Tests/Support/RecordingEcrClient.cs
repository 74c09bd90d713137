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

    public Task<BatchGetImageResponse> BatchGetImageAsync(BatchGetImageRequest request, CancellationToken cancellationToken = default)
    {
        Record("BatchGetImage", request.RepositoryName);
        return _inner.BatchGetImageAsync(request, cancellationToken);
    }

    public Task<BatchCheckLayerAvailabilityResponse> BatchCheckLayerAvailabilityAsync(BatchCheckLayerAvailabilityRequest request, CancellationToken cancellationToken = default)
    {
        Record("BatchCheckLayerAvailability", request.RepositoryName);
        return _inner.BatchCheckLayerAvailabilityAsync(request, cancellationToken);
    }

    public Task<GetDownloadUrlForLayerResponse> GetDownloadUrlForLayerAsync(GetDownloadUrlForLayerRequest request, CancellationToken cancellationToken = default)
    {
        Record("GetDownloadUrlForLayer", request.RepositoryName);
        return _inner.GetDownloadUrlForLayerAsync(request, cancellationToken);
    }

    public Task<InitiateLayerUploadResponse> InitiateLayerUploadAsync(InitiateLayerUploadRequest request, CancellationToken cancellationToken = default)
    {
        Record("InitiateLayerUpload", request.RepositoryName);
        return _inner.InitiateLayerUploadAsync(request, cancellationToken);
    }

    public Task<UploadLayerPartResponse> UploadLayerPartAsync(UploadLayerPartRequest request, CancellationToken cancellationToken = default)
    {
        Record("UploadLayerPart", request.RepositoryName);
        return _inner.UploadLayerPartAsync(request, cancellationToken);
    }

    public Task<CompleteLayerUploadResponse> CompleteLayerUploadAsync(CompleteLayerUploadRequest request, CancellationToken cancellationToken = default)
    {
        Record("CompleteLayerUpload", request.RepositoryName);
        return _inner.CompleteLayerUploadAsync(request, cancellationToken);
    }

    public Task<PutImageResponse> PutImageAsync(PutImageRequest request, CancellationToken cancellationToken = default)
    {
        Record("PutImage", request.RepositoryName);
        return _inner.PutImageAsync(request, cancellationToken);
    }

    public Task<CreateRepositoryResponse> CreateRepositoryAsync(CreateRepositoryRequest request, CancellationToken cancellationToken = default)
    {
        Record("CreateRepository", request.RepositoryName);
        return _inner.CreateRepositoryAsync(request, cancellationToken);
    }

    public Task<DescribeRepositoriesResponse> DescribeRepositoriesAsync(DescribeRepositoriesRequest request, CancellationToken cancellationToken = default)
    {
        Record("DescribeRepositories");
        return _inner.DescribeRepositoriesAsync(request, cancellationToken);
    }

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

    public Task<ListImagesResponse> ListImagesAsync(ListImagesRequest request, CancellationToken cancellationToken = default)
    {
        Record("ListImages", request.RepositoryName);
        return _inner.ListImagesAsync(request, cancellationToken);
    }

    public Task<BatchDeleteImageResponse> BatchDeleteImageAsync(BatchDeleteImageRequest request, CancellationToken cancellationToken = default)
    {
        Record("BatchDeleteImage", request.RepositoryName);
        return _inner.BatchDeleteImageAsync(request, cancellationToken);
    }

    public Task<GetLifecyclePolicyResponse> GetLifecyclePolicyAsync(GetLifecyclePolicyRequest request, CancellationToken cancellationToken = default)
    {
        Record("GetLifecyclePolicy", request.RepositoryName);
        return _inner.GetLifecyclePolicyAsync(request, cancellationToken);
    }

    public Task<PutLifecyclePolicyResponse> PutLifecyclePolicyAsync(PutLifecyclePolicyRequest request, CancellationToken cancellationToken = default)
    {
        Record("PutLifecyclePolicy", request.RepositoryName);
        return _inner.PutLifecyclePolicyAsync(request, cancellationToken);
    }

    public Task<GetRepositoryPolicyResponse> GetRepositoryPolicyAsync(GetRepositoryPolicyRequest request, CancellationToken cancellationToken = default)
    {
        Record("GetRepositoryPolicy", request.RepositoryName);
        return _inner.GetRepositoryPolicyAsync(request, cancellationToken);
    }

    public Task<SetRepositoryPolicyResponse> SetRepositoryPolicyAsync(SetRepositoryPolicyRequest request, CancellationToken cancellationToken = default)
    {
        Record("SetRepositoryPolicy", request.RepositoryName);
        return _inner.SetRepositoryPolicyAsync(request, cancellationToken);
    }

    public Task<ListTagsForResourceResponse> ListTagsForResourceAsync(ListTagsForResourceRequest request, CancellationToken cancellationToken = default)
    {
        Record("ListTagsForResource");
        return _inner.ListTagsForResourceAsync(request, cancellationToken);
    }

    public Task<UntagResourceResponse> UntagResourceAsync(UntagResourceRequest request, CancellationToken cancellationToken = default)
    {
        Record("UntagResource");
        return _inner.UntagResourceAsync(request, cancellationToken);
    }

    public Task<GetAuthorizationTokenResponse> GetAuthorizationTokenAsync(GetAuthorizationTokenRequest request, CancellationToken cancellationToken = default)
    {
        Record("GetAuthorizationToken");
        return _inner.GetAuthorizationTokenAsync(request, cancellationToken);
    }

    public Task<ListImageReferrersResponse> ListImageReferrersAsync(ListImageReferrersRequest request, CancellationToken cancellationToken = default)
    {
        Record("ListImageReferrers", request.RepositoryName);
        return _inner.ListImageReferrersAsync(request, cancellationToken);
    }

    private void Record(string operation, string? repository = null) => Calls.Enqueue((operation, repository));
}
