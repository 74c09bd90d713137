using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;

namespace Replicator.Core.Replication;

/// <summary>One image as a registry describes it, whatever its status.</summary>
public static class ImageDescriptions
{
    /// <summary>
    /// DescribeImages of <paramref name="id"/> in every status: without a filter ECR describes ACTIVE images only
    /// (botocore ECR model, DescribeImagesFilter.imageStatus), and an archived image is still there (a source that
    /// cannot be pulled, a replica an immutable tag names, a subject its referrers point at). Null when the image or
    /// its repository does not exist.
    /// </summary>
    public static async Task<ImageDetail?> FindAsync(IEcrClient client, string? registryId, string repository, ImageIdentifier id, CancellationToken cancellationToken)
    {
        try
        {
            var response = await client.DescribeImagesAsync(
                new DescribeImagesRequest
                {
                    RegistryId = registryId,
                    RepositoryName = repository,
                    ImageIds = [id],
                    Filter = new DescribeImagesFilter { ImageStatus = ImageStatusFilter.Any },
                },
                cancellationToken);
            if (response.ImageDetails?.FirstOrDefault() is { } detail)
            {
                return detail;
            }
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.RepositoryNotFoundException)
        {
            return null;
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.ImageNotFoundException)
        {
        }

        // Whether ECR applies filter.imageStatus to images asked for by id is not documented (docs/fidelity.md): one that
        // described only ACTIVE images there would hide an archived or restoring one. The listings of those statuses
        // (a filter ECR documents for listings) settle it; a repository without archived images answers one empty page each.
        try
        {
            foreach (var status in new[] { ImageStatusFilter.Archived, ImageStatusFilter.Activating })
            {
                var listing = new DescribeImagesRequest
                {
                    RegistryId = registryId,
                    RepositoryName = repository,
                    Filter = new DescribeImagesFilter { TagStatus = TagStatus.Any, ImageStatus = status },
                    MaxResults = EcrLimits.DescribeMaxResults,
                };
                await foreach (var detail in client.Paginators.DescribeImages(listing).ImageDetails.WithCancellation(cancellationToken))
                {
                    if (id.ImageDigest is { } digest ? detail.ImageDigest == digest : detail.ImageTags?.Contains(id.ImageTag!) == true)
                    {
                        return detail;
                    }
                }
            }
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.RepositoryNotFoundException)
        {
        }

        return null;
    }

    /// <summary>The digest <paramref name="tag"/> names, or null when it names none (its repository gone included).</summary>
    /// <remarks>
    /// Every status counts: an archived image still holds its tags, so an immutable tag still refuses a push and a
    /// replicated tag delete still has a tag to remove.
    /// </remarks>
    public static async Task<string?> TagDigestAsync(IEcrClient client, string? registryId, string repository, string tag, CancellationToken cancellationToken) =>
        (await FindAsync(client, registryId, repository, new ImageIdentifier { ImageTag = tag }, cancellationToken))?.ImageDigest;
}
