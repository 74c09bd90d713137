namespace Replicator.Cli.Composition;

/// <summary>Process exit codes; verify's 0/1/2 contract is shared by every command.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Some work failed (sync, copy) or replicas drifted (verify), or the demo's proof does not hold.</summary>
    public const int Failed = 1;

    /// <summary>Bad arguments or configuration, or an error that stopped the command before it could decide.</summary>
    public const int Error = 2;
}
