using Replicator.Core.Configuration;

namespace Replicator.Cli.Composition;

/// <summary>The environment with <c>AWS_PROFILE</c> set to the chosen profile; every other variable, and every write, is the inner one's.</summary>
internal sealed class ProfileEnvironment(IEnvironmentVariables inner, string profileName) : IEnvironmentVariables
{
    public const string ProfileVariable = "AWS_PROFILE";

    public string? GetEnvironmentVariable(string name) =>
        string.Equals(name, ProfileVariable, StringComparison.Ordinal) ? profileName : inner.GetEnvironmentVariable(name);

    public void SetEnvironmentVariable(string name, string? value) => inner.SetEnvironmentVariable(name, value);
}
