namespace Replicator.Core.Configuration;

/// <summary>Read access to environment variables, injected so that tests never touch the process environment.</summary>
public interface IEnvironmentVariables
{
    /// <summary>The value, or null when the variable is not set.</summary>
    string? Get(string name);
}
