using Replicator.Core.Ecr.Model;

namespace Replicator.Core.Replication;

/// <summary>What a destination repository inherits from its source when the replicator creates it.</summary>
internal sealed record SourceRepositorySettings(
    Repository Repository,
    IReadOnlyList<Tag> Tags,
    string? LifecyclePolicyText,
    string? RepositoryPolicyText);
