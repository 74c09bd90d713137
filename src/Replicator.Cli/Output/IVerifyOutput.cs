using Replicator.Cli.Verification;

namespace Replicator.Cli.Output;

/// <summary>
/// Where verify writes, as it goes: the header once the selection has named its repositories, each repository's
/// entries once that repository is compared with every destination, and the counts at the end. Nothing that is written
/// is kept, so the output of a registry of any size costs what one repository's does.
/// </summary>
public interface IVerifyOutput
{
    void Begin(string sourceRegion, IReadOnlyList<string> destinations);

    /// <summary>One repository's entries, every destination's, in the order they were found.</summary>
    void Write(IReadOnlyList<DriftEntry> entries);

    void End(VerifyCounts counts);
}
