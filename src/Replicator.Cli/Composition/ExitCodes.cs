namespace Replicator.Cli.Composition;

/// <summary>Process exit codes; verify's 0/1/2 contract is shared by every command.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Some work failed (sync, copy) or replicas drifted (verify), or the demo's proof does not hold.</summary>
    public const int Failed = 1;

    /// <summary>Bad arguments or configuration, or an error that stopped the command before it could decide.</summary>
    public const int Error = 2;

    /// <summary>
    /// A stop signal cut the command short: 128 + SIGINT's number, what a shell reports for a command Ctrl+C ended
    /// (https://www.gnu.org/software/bash/manual/html_node/Exit-Status.html) and what System.CommandLine's own
    /// termination handler returns. A command returns this for any stop; the process then exits with 128 + the number
    /// of the signal that stopped it (<see cref="StopSignals.ExitCode"/>: 143 for SIGTERM, 131 for SIGQUIT), so a CI
    /// step or a script tells an interrupted run from a refused one (2) and from drift (1).
    /// </summary>
    public const int Cancelled = 130;
}
