namespace Replicator.Core.Configuration;

/// <summary>
/// A setting (an environment variable or its command-line twin) that Core cannot accept. The shells turn it
/// into their own error: the function's init error, the CLI's usage error. The message never quotes a secret.
/// </summary>
public sealed class SettingException : Exception
{
    public SettingException(string setting, string problem)
        : base($"{setting} {problem}")
    {
        Setting = setting;
        Problem = problem;
    }

    public SettingException()
        : this("setting", "is invalid")
    {
    }

    public SettingException(string message)
        : this("setting", message)
    {
    }

    public SettingException(string message, Exception innerException)
        : base(message, innerException)
    {
        Setting = "setting";
        Problem = message;
    }

    /// <summary>The variable's name, such as <c>REPOSITORY_MAPPING</c>.</summary>
    public string Setting { get; } = "setting";

    /// <summary>What is wrong, without the variable's name.</summary>
    public string Problem { get; } = "is invalid";
}
