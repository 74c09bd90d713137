namespace Replicator.Core.Planning;

/// <summary>
/// PutImage with the exact <see cref="Manifest"/> string, its media type and <c>imageDigest</c> = <see cref="Digest"/>;
/// <see cref="Tag"/> is null for every manifest but the root. ImageAlreadyExists means done.
/// </summary>
public sealed record PutManifestStep(string Digest, string MediaType, string Manifest, string? Tag) : PlanStep
{
    public override PlanPhase Phase => PlanPhase.PutManifests;
}
