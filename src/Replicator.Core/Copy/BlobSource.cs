using Replicator.Core.Ecr;

namespace Replicator.Core.Copy;

/// <summary>Where the blobs of one request come from. A null registry id is the caller's own account.</summary>
internal sealed record BlobSource(IEcrClient Client, string? RegistryId, string Repository);
