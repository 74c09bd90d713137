using Replicator.Cli.Composition;
using Replicator.Core.Validation;

namespace Replicator.Cli.Selection;

/// <summary>
/// <c>REPO:TAG</c> or <c>REPO@DIGEST</c>, validated, optionally behind an ECR private registry host, as an image URI
/// reads (<c>ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG</c>, the form docker, crane and skopeo take): the host is
/// kept as <see cref="Registry"/>, for the command to hold against its source registry. Another registry's host with a
/// port is refused by name. Pure.
/// </summary>
public sealed record ImageArgument(string Repository, string? Tag, string? Digest)
{
    /// <summary>The ECR registry host the value named before the repository; null for a bare <c>REPO:TAG</c>.</summary>
    public EcrRegistryHost? Registry { get; init; }

    /// <summary>The reference as given, host included, for messages.</summary>
    public string Reference => $"{(Registry is null ? string.Empty : Registry.Host + "/")}{Repository}{(Tag is null ? "@" + Digest : ":" + Tag)}";

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
        if (parsed.Registry is { } registry)
        {
            // A command that pushes names no other registry than its own: a host would be ignored, or a push go where
            // the URI does not say.
            throw new UsageException($"image {EcrNames.Quote(value)} names the registry host {EcrNames.Quote(registry.Host)}: give REPOSITORY:TAG ({EcrNames.Quote(parsed.Repository + ":" + parsed.Tag)}); it goes to --source-region's registry of the credentials' account");
        }

        return (parsed.Repository, parsed.Tag ?? throw new InvalidOperationException("a tag-only parse returned no tag"));
    }

    private static ImageArgument Parse(string value, string? digestRefusal)
    {
        ArgumentNullException.ThrowIfNull(value);
        var (registry, rest) = SplitRegistry(value);
        var parsed = ParseReference(value, rest, digestRefusal);
        return registry is null ? parsed : parsed with { Registry = registry };
    }

    /// <summary>
    /// The registry host before the first '/', when there is one. An ECR host is told by its form. Docker's rule
    /// (distribution/reference, normalize.go) takes any first component with a '.' or ':', or "localhost", for a
    /// registry, but "team.x/app" and "localhost/app" are valid ECR repository names: only a ':' (a port, which no ECR
    /// name holds) marks another registry for sure, and is refused by name.
    /// </summary>
    private static (EcrRegistryHost? Registry, string Reference) SplitRegistry(string value)
    {
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            return (null, value);
        }

        var first = value[..slash];
        if (EcrRegistryHost.Parse(first) is { } host)
        {
            return (host, value[(slash + 1)..]);
        }

        if (first.Contains(':', StringComparison.Ordinal))
        {
            throw new UsageException($"image {EcrNames.Quote(value)} names the registry {EcrNames.Quote(first)}, which is not an Amazon ECR private registry: give REPOSITORY:TAG or REPOSITORY@DIGEST of the source registry, or its ECR image URI (ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY:TAG)");
        }

        return (null, value);
    }

    private static ImageArgument ParseReference(string value, string reference, string? digestRefusal)
    {
        string repository;
        string? tag = null;
        string? digest = null;
        var at = reference.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            if (digestRefusal is not null)
            {
                throw new UsageException(digestRefusal);
            }

            repository = reference[..at];
            digest = reference[(at + 1)..];

            // Docker's NAME:TAG@DIGEST. Repository names hold no ':' (the model's RepositoryName pattern), so a ':'
            // before the '@' ends a tag: said as such, rather than as an invalid repository name.
            if (repository.Contains(':', StringComparison.Ordinal))
            {
                throw new UsageException($"image {EcrNames.Quote(value)} names both a tag and a digest: give REPOSITORY:TAG or REPOSITORY@DIGEST");
            }

            if (digest.Length == 0)
            {
                throw new UsageException($"image {EcrNames.Quote(value)} has no digest after '@': give REPOSITORY@DIGEST");
            }

            Check(EcrNames.ValidateDigest(digest));
        }
        else
        {
            // Repository names cannot hold ':', so the last one starts the tag.
            var colon = reference.LastIndexOf(':');
            if (colon < 0)
            {
                var forms = digestRefusal is null ? "REPOSITORY:TAG or REPOSITORY@DIGEST" : "REPOSITORY:TAG";
                throw new UsageException($"image {EcrNames.Quote(value)} must be {forms}");
            }

            repository = reference[..colon];
            tag = reference[(colon + 1)..];
            if (tag.Length == 0)
            {
                throw new UsageException($"image {EcrNames.Quote(value)} has no tag after ':': give REPOSITORY:TAG");
            }

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
