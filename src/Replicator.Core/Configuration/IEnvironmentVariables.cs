namespace Replicator.Core.Configuration;

/// <summary>
/// Environment variables behind an interface, so configuration, endpoints and the Lambda runtime loop are
/// tested without touching the process environment (aws-lambda-dotnet's RuntimeSupport has the same seam).
/// </summary>
public interface IEnvironmentVariables
{
    /// <summary>The value, or null when the variable is not set.</summary>
    string? GetEnvironmentVariable(string name);

    /// <summary>Sets the variable, or removes it when <paramref name="value"/> is null.</summary>
    void SetEnvironmentVariable(string name, string? value);
}
