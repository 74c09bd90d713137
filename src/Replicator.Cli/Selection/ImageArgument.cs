using Replicator.Cli.Composition;
using Replicator.Core.Validation;

namespace Replicator.Cli.Selection;

/// <summary><c>REPO:TAG</c> or <c>REPO@DIGEST</c>, validated. Pure.</summary>
public sealed record ImageArgument(string Repository, string? Tag, string? Digest)
{
    public static ImageArgument Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        string repository;
        string? tag = null;
        string? digest = null;
        var at = value.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            repository = value[..at];
            digest = value[(at + 1)..];
            Check(EcrNames.ValidateDigest(digest));
        }
        else
        {
            // Repository names cannot hold ':', so the last one starts the tag.
            var colon = value.LastIndexOf(':');
            if (colon < 0)
            {
                throw new UsageException($"image {EcrNames.Quote(value)} must be REPOSITORY:TAG or REPOSITORY@DIGEST");
            }

            repository = value[..colon];
            tag = value[(colon + 1)..];
            Check(EcrNames.ValidateTag(tag));
        }

        Check(EcrNames.ValidateRepositoryName(repository));
        return new ImageArgument(repository, tag, digest);
    }

    private static void Check(string? problem)
    {
        if (problem is not null)
        {
            throw new UsageException(problem);
        }
    }
}
