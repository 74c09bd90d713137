namespace Replicator.Core.Planning;

/// <summary>
/// Point <see cref="Tag"/> at a root manifest the destination already holds: ECR has no tag operation, so this is
/// PutImage with the same exact manifest and the tag.
/// </summary>
public sealed record PutTagStep(string Digest, string MediaType, string Manifest, string Tag) : PlanStep
{
    public override PlanPhase Phase => PlanPhase.PutManifests;
}
