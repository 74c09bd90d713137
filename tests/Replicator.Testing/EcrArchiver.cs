using Replicator.Core.Signing;

namespace Replicator.Testing;

/// <summary>
/// Archives or restores an image through ECR's UpdateImageStorageClass, which the replicator itself never calls (so its
/// client has no such operation), as the AWS CLI's <c>ecr update-image-storage-class</c> does.
/// </summary>
public static class EcrArchiver
{
    public static Task ArchiveAsync(HttpClient http, Uri endpoint, string region, string repository, string digest, AwsCredentials? credentials = null) =>
        UpdateAsync(http, endpoint, region, repository, digest, "ARCHIVE", credentials);

    public static Task RestoreAsync(HttpClient http, Uri endpoint, string region, string repository, string digest, AwsCredentials? credentials = null) =>
        UpdateAsync(http, endpoint, region, repository, digest, "STANDARD", credentials);

    private static async Task UpdateAsync(HttpClient http, Uri endpoint, string region, string repository, string digest, string storageClass, AwsCredentials? credentials)
    {
        using var answer = await EcrRawCall.InvokeAsync(http, endpoint, region, "UpdateImageStorageClass", new Dictionary<string, object>
        {
            ["repositoryName"] = repository,
            ["imageId"] = new Dictionary<string, string> { ["imageDigest"] = digest },
            ["targetStorageClass"] = storageClass,
        }, credentials);
    }
}
