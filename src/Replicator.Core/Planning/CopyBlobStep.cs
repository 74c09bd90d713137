using Replicator.Core.Manifests;

namespace Replicator.Core.Planning;

/// <summary>
/// Copy one blob. <see cref="Size"/> is the descriptor's, or for schema 1 layers the size the source reported
/// (<see cref="SourceImage.BlobSizes"/>); <see cref="Descriptor.UnknownSize"/> only when the source does not hold the
/// layer. <see cref="Data"/>, when set, is the verified content from the descriptor's <c>data</c> field, so nothing
/// needs downloading.
/// </summary>
public sealed record CopyBlobStep(string Digest, long Size, string MediaType, ReadOnlyMemory<byte>? Data = null);
