using Replicator.Core.Replication;

namespace Replicator.Cli.Commands;

/// <summary>One image's replication, labelled for output.</summary>
public sealed record ImageRun(string Repository, string? Tag, ReplicationResult Result);
