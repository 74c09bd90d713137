namespace Replicator.Core.Planning;

/// <summary>
/// PutImage with the exact <see cref="Manifest"/> string, its media type and <c>imageDigest</c> = <see cref="Digest"/>.
/// <see cref="Tag"/> is null for every put but the root's last one. ECR has no tag operation, so moving a tag is this
/// same PutImage with the tag: <see cref="TagOnly"/> says the destination holds the manifest by then (it was there
/// already, or an earlier put of this plan wrote it), which only a reader such as a dry run cares about.
/// ImageAlreadyExists means done.
/// </summary>
public sealed record PutImageStep(string Digest, string MediaType, string Manifest, string? Tag, bool TagOnly = false);
