using System.Text.Json.Serialization;
using Replicator.Core.Ecr.Model;

namespace Replicator.Core.Ecr.Serialization;

/// <summary>
/// The one source-generated serializer context for every ECR shape (Native AOT: no reflection). Property names
/// come from <c>[JsonPropertyName]</c> on each member (the wire names), nulls are omitted as AWS SDKs do.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(EpochSecondsConverter)])]
[JsonSerializable(typeof(BatchCheckLayerAvailabilityRequest))]
[JsonSerializable(typeof(BatchCheckLayerAvailabilityResponse))]
[JsonSerializable(typeof(BatchDeleteImageRequest))]
[JsonSerializable(typeof(BatchDeleteImageResponse))]
[JsonSerializable(typeof(BatchGetImageRequest))]
[JsonSerializable(typeof(BatchGetImageResponse))]
[JsonSerializable(typeof(CompleteLayerUploadRequest))]
[JsonSerializable(typeof(CompleteLayerUploadResponse))]
[JsonSerializable(typeof(CreateRepositoryRequest))]
[JsonSerializable(typeof(CreateRepositoryResponse))]
[JsonSerializable(typeof(DescribeImageSigningStatusRequest))]
[JsonSerializable(typeof(DescribeImageSigningStatusResponse))]
[JsonSerializable(typeof(DescribeImagesRequest))]
[JsonSerializable(typeof(DescribeImagesResponse))]
[JsonSerializable(typeof(DescribeRepositoriesRequest))]
[JsonSerializable(typeof(DescribeRepositoriesResponse))]
[JsonSerializable(typeof(GetAuthorizationTokenRequest))]
[JsonSerializable(typeof(GetAuthorizationTokenResponse))]
[JsonSerializable(typeof(GetDownloadUrlForLayerRequest))]
[JsonSerializable(typeof(GetDownloadUrlForLayerResponse))]
[JsonSerializable(typeof(GetLifecyclePolicyRequest))]
[JsonSerializable(typeof(GetLifecyclePolicyResponse))]
[JsonSerializable(typeof(GetRepositoryPolicyRequest))]
[JsonSerializable(typeof(GetRepositoryPolicyResponse))]
[JsonSerializable(typeof(InitiateLayerUploadRequest))]
[JsonSerializable(typeof(InitiateLayerUploadResponse))]
[JsonSerializable(typeof(ListImageReferrersRequest))]
[JsonSerializable(typeof(ListImageReferrersResponse))]
[JsonSerializable(typeof(ListImagesRequest))]
[JsonSerializable(typeof(ListImagesResponse))]
[JsonSerializable(typeof(ListTagsForResourceRequest))]
[JsonSerializable(typeof(ListTagsForResourceResponse))]
[JsonSerializable(typeof(UntagResourceRequest))]
[JsonSerializable(typeof(UntagResourceResponse))]
[JsonSerializable(typeof(PutImageRequest))]
[JsonSerializable(typeof(PutImageResponse))]
[JsonSerializable(typeof(PutLifecyclePolicyRequest))]
[JsonSerializable(typeof(PutLifecyclePolicyResponse))]
[JsonSerializable(typeof(SetRepositoryPolicyRequest))]
[JsonSerializable(typeof(SetRepositoryPolicyResponse))]
[JsonSerializable(typeof(UploadLayerPartRequest))]
[JsonSerializable(typeof(UploadLayerPartResponse))]
public sealed partial class EcrJsonContext : JsonSerializerContext
{
}
