using Replicator.Core.Replication;

namespace Replicator.Core.Reconciliation;

/// <summary>
/// What one pass of a <see cref="DriftScanner"/> over many repositories learns once and keeps: the source account,
/// and the destinations whose credentials could not be had. Such a destination is not listed again in the pass: its
/// role or parameter is the same for every repository, and a failed AssumeRole is not cached, so each repository
/// would otherwise call STS again (a pass over thousands of repositories while a StackSet has not yet created the
/// role in one account; a throttled STS made worse). The next pass tries it again. Also the tag mutability of the
/// destination repositories that hold a selected tag at another digest. Used by one pass at a time.
/// </summary>
public sealed class DriftScanRun
{
    private readonly HashSet<ReplicationDestination> _withoutCredentials = [];

    private readonly Dictionary<(string Repository, ReplicationDestination Destination), TagMutabilityRule?> _mutability = [];

    /// <param name="sourceRegion">The source registry's region: a destination there, in the source account, is skipped.</param>
    /// <param name="sourceAccount">
    /// The source registry's account when the caller knows it (the scheduled event's account); null: learned from the
    /// first source listing that names it, or asked of DescribeRepositories when a destination needs it.
    /// </param>
    public DriftScanRun(string sourceRegion, string? sourceAccount = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourceRegion);
        SourceRegion = sourceRegion;
        SourceAccount = sourceAccount;
    }

    /// <summary>
    /// The source region. An <c>ACCOUNT:REGION</c> destination naming the source's own account and region (allowed with
    /// a <c>RepositoryMapping</c>) is the source itself to the function, which skips it on every record
    /// (<see cref="ReplicationDestination.IsSource"/>); the scanner skips it by the same rule, or it would find every
    /// image missing there and enqueue the whole registry on every pass.
    /// </summary>
    public string SourceRegion { get; }

    /// <summary>
    /// The source account, which tells an <c>ACCOUNT:REGION</c> destination of the replicator's own account (its own
    /// credentials) from another account's (a role there): see <see cref="IDestinationClients.GetClient"/>.
    /// </summary>
    public string? SourceAccount { get; internal set; }

    internal bool Skips(ReplicationDestination destination) => _withoutCredentials.Contains(destination);

    internal void Skip(ReplicationDestination destination) => _withoutCredentials.Add(destination);

    /// <summary>
    /// A destination repository's tag mutability, once learned in this pass (null inside: it could not be read), so it
    /// is asked at most once a repository and destination a pass; the next pass asks again, as it may have changed.
    /// </summary>
    internal bool TryGetMutability(string repository, ReplicationDestination destination, out TagMutabilityRule? rule) =>
        _mutability.TryGetValue((repository, destination), out rule);

    internal void SetMutability(string repository, ReplicationDestination destination, TagMutabilityRule? rule) =>
        _mutability[(repository, destination)] = rule;
}
