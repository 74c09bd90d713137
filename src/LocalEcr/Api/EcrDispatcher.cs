using System.Collections.Frozen;
using System.Text.Json;

namespace LocalEcr.Api;

/// <summary>X-Amz-Target operation name to handler.</summary>
internal static class EcrDispatcher
{
    public const string TargetPrefix = "AmazonEC2ContainerRegistry_V20150921.";

    private static readonly FrozenDictionary<string, Func<EcrCall, Utf8JsonWriter, Task>> Handlers =
        new Dictionary<string, Func<EcrCall, Utf8JsonWriter, Task>>
        {
            ["BatchGetImage"] = ImageReadOperations.BatchGetImage,
            ["DescribeImages"] = ImageReadOperations.DescribeImages,
            ["ListImages"] = ImageReadOperations.ListImages,
            ["BatchDeleteImage"] = BatchDeleteImageOperation.BatchDeleteImage,
            ["PutImage"] = PutImageOperation.PutImage,
            ["BatchCheckLayerAvailability"] = LayerOperations.BatchCheckLayerAvailability,
            ["GetDownloadUrlForLayer"] = LayerOperations.GetDownloadUrlForLayer,
            ["InitiateLayerUpload"] = UploadOperations.InitiateLayerUpload,
            ["UploadLayerPart"] = UploadOperations.UploadLayerPart,
            ["CompleteLayerUpload"] = UploadOperations.CompleteLayerUpload,
            ["CreateRepository"] = RepositoryOperations.CreateRepository,
            ["DescribeRepositories"] = RepositoryOperations.DescribeRepositories,
            ["DeleteRepository"] = RepositoryOperations.DeleteRepository,
            ["ListTagsForResource"] = TagOperations.ListTagsForResource,
            ["TagResource"] = TagOperations.TagResource,
            ["UntagResource"] = TagOperations.UntagResource,
            ["GetLifecyclePolicy"] = PolicyOperations.GetLifecyclePolicy,
            ["PutLifecyclePolicy"] = PolicyOperations.PutLifecyclePolicy,
            ["GetRepositoryPolicy"] = PolicyOperations.GetRepositoryPolicy,
            ["SetRepositoryPolicy"] = PolicyOperations.SetRepositoryPolicy,
            ["GetAuthorizationToken"] = AuthorizationOperations.GetAuthorizationToken,
            ["ListImageReferrers"] = ReferrerOperations.ListImageReferrers,
            ["UpdateImageStorageClass"] = StorageClassOperations.UpdateImageStorageClass,
            ["PutSigningConfiguration"] = SigningOperations.PutSigningConfiguration,
            ["GetSigningConfiguration"] = SigningOperations.GetSigningConfiguration,
            ["DeleteSigningConfiguration"] = SigningOperations.DeleteSigningConfiguration,
            ["DescribeImageSigningStatus"] = SigningOperations.DescribeImageSigningStatus,
        }.ToFrozenDictionary(StringComparer.Ordinal);

    public static IEnumerable<string> Operations => Handlers.Keys;

    public static Func<EcrCall, Utf8JsonWriter, Task>? Find(string operation) =>
        Handlers.GetValueOrDefault(operation);
}
