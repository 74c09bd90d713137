using Replicator.Core.Validation;

namespace Replicator.Core.Configuration;

/// <summary>
/// A well-formed entry of a per-destination setting (DESTINATION_KMS_KEYS, DESTINATION_CREDENTIALS,
/// DESTINATION_ROLE_ARNS) that names no configured destination: ignored, not refused. A destination removed from
/// DESTINATION_REGIONS while its entries stay behind is an ordinary edit (the stack deploys it, as CloudFormation cannot
/// compare the parts of those strings), and refusing it stopped every replication at init until the next deploy. The
/// shells say it instead (the function one WARN at init, the CLI a line on stderr), so a mistyped destination is still
/// seen. A malformed entry stays an error.
/// </summary>
/// <param name="Setting">The variable, such as <c>DESTINATION_KMS_KEYS</c>.</param>
/// <param name="Entry">The entry as written (no secret: a KMS key, an SSM parameter's name, a role ARN).</param>
/// <param name="Reason">Why it names no configured destination, without the variable's name.</param>
public sealed record IgnoredEntry(string Setting, string Entry, string Reason)
{
    /// <summary>One line: the variable, the entry quoted, why it is ignored and what to do.</summary>
    public override string ToString() =>
        $"{Setting}: entry {EcrNames.Quote(Entry)} ignored: {Reason}; remove the entry if its destination was removed, or correct it if mistyped";
}
