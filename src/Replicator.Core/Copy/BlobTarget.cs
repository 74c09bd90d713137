using Replicator.Core.Ecr;

namespace Replicator.Core.Copy;

/// <summary>One destination repository a blob goes to. A null registry id is the caller's own account.</summary>
internal sealed record BlobTarget(IEcrClient Client, string? RegistryId, string Repository);
