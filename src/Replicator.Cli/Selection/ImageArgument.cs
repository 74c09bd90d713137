using Replicator.Cli.Composition;
using Replicator.Core.Validation;

namespace Replicator.Cli.Selection;

/// <summary><c>REPO:TAG</c> or <c>REPO@DIGEST</c>, validated. Pure.</summary>
public sealed record ImageArgument(string Repository, string? Tag, string? Digest)
{
    public static ImageArgument Parse(string value) => Parse(value, digestRefusal: null);

    /// <summary>
    /// <c>REPO:TAG</c> only, for a command that makes the image, so its digest is not the caller's to name. A
    /// <c>REPO@...</c> is refused with <paramref name="digestRefusal"/> before its digest is read, and a value without
    /// a tag is told the one form this command takes: no error asks for a form the next one refuses.
    /// </summary>
    public static (string Repository, string Tag) ParseTagged(string value, string digestRefusal)
    {
        ArgumentException.ThrowIfNullOrEmpty(digestRefusal);
        var parsed = Parse(value, digestRefusal);
        return (parsed.Repository, parsed.Tag ?? throw new InvalidOperationException("a tag-only parse returned no tag"));
    }

    private static ImageArgument Parse(string value, string? digestRefusal)
    {
        ArgumentNullException.ThrowIfNull(value);
        string repository;
        string? tag = null;
        string? digest = null;
        var at = value.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            if (digestRefusal is not null)
            {
                throw new UsageException(digestRefusal);
            }

            repository = value[..at];
            digest = value[(at + 1)..];

            // Docker's NAME:TAG@DIGEST. Repository names hold no ':' (the model's RepositoryName pattern), so a ':'
            // before the '@' ends a tag: said as such, rather than as an invalid repository name.
            if (repository.Contains(':', StringComparison.Ordinal))
            {
                throw new UsageException($"image {EcrNames.Quote(value)} names both a tag and a digest: give REPOSITORY:TAG or REPOSITORY@DIGEST");
            }

            Check(EcrNames.ValidateDigest(digest));
        }
        else
        {
            // Repository names cannot hold ':', so the last one starts the tag.
            var colon = value.LastIndexOf(':');
            if (colon < 0)
            {
                var forms = digestRefusal is null ? "REPOSITORY:TAG or REPOSITORY@DIGEST" : "REPOSITORY:TAG";
                throw new UsageException($"image {EcrNames.Quote(value)} must be {forms}");
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
