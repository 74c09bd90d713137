using Replicator.Core.Manifests;

namespace Replicator.Core.Planning;

/// <summary>
/// Copy one blob. <see cref="Size"/> is <see cref="Descriptor.UnknownSize"/> for schema 1 layers (the executor
/// learns it from the source); <see cref="Data"/>, when set, is the verified content from the descriptor's
/// <c>data</c> field, so nothing needs downloading.
/// </summary>
public sealed record CopyBlobStep(string Digest, long Size, string MediaType, ReadOnlyMemory<byte>? Data = null) : PlanStep
{
    public override PlanPhase Phase => PlanPhase.CopyBlobs;
}
