namespace Replicator.Function.Configuration;

/// <summary>A configuration problem found at init; <see cref="Variable"/> names the environment variable at fault.</summary>
public sealed class ConfigurationException : Exception
{
    public ConfigurationException()
    {
        Variable = string.Empty;
    }

    public ConfigurationException(string message)
        : base(message)
    {
        Variable = string.Empty;
    }

    public ConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Variable = string.Empty;
    }

    public ConfigurationException(string variable, string message)
        : base($"{variable}: {message}")
    {
        Variable = variable;
    }

    public string Variable { get; }
}
