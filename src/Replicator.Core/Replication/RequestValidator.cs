using Replicator.Core.Validation;

namespace Replicator.Core.Replication;

/// <summary>
/// Checks a request before any ECR call is built from it; returns the first problem, or null. A request without a
/// destination is the caller's error (<see cref="ArgumentException"/>).
/// </summary>
internal static class RequestValidator
{
    public static string? Validate(ReplicationRequest request)
    {
        // A result holds one entry per destination, so a request without any has nowhere to report a failure: its
        // result would read as succeeded with nothing done. The shells never build one (the function acknowledges an
        // event with no destination left, the CLI requires one); a caller of the library that does is told at once.
        if (request.Destinations.Count == 0)
        {
            throw new ArgumentException("The request names no destination: there would be no entry of its result to report a failure in.", nameof(request));
        }

        var source = request.Source;
        var problem = EcrNames.ValidateRegistryId(source.RegistryId)
            ?? EcrNames.ValidateRegion(source.Region)
            ?? EcrNames.ValidateRepositoryName(source.RepositoryName)
            ?? (source.Digest is null && source.Tag is null ? "the source image needs a digest or a tag" : null)
            ?? (source.Digest is null ? null : EcrNames.ValidateDigest(source.Digest))
            ?? (source.Tag is null ? null : EcrNames.ValidateTag(source.Tag));
        if (problem is not null)
        {
            return problem;
        }

        foreach (var destination in request.Destinations)
        {
            problem = EcrNames.ValidateRegion(destination.Region)
                ?? (destination.RegistryId is null ? null : EcrNames.ValidateRegistryId(destination.RegistryId));
            if (problem is not null)
            {
                return "destination: " + problem;
            }

            if (destination.Region == source.Region && (destination.RegistryId ?? source.RegistryId) == source.RegistryId)
            {
                return $"destination {destination} is the source registry itself";
            }
        }

        return null;
    }
}
