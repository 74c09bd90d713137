namespace Replicator.Core.Configuration;

/// <summary>
/// Process environment access behind an interface, so configuration and the Lambda runtime loop can be
/// tested without touching the real environment (aws-lambda-dotnet's RuntimeSupport does the same).
/// </summary>
public interface IEnvironmentVariables
{
    /// <summary>The value, or null when the variable is not set.</summary>
    string? GetEnvironmentVariable(string name);

    /// <summary>Sets the variable, or removes it when <paramref name="value"/> is null.</summary>
    void SetEnvironmentVariable(string name, string? value);
}
