namespace LocalEcr;

/// <summary>
/// Another LocalEcr server, in this process or another, is using the data directory: one server per data directory
/// (README, <c>--data-dir</c>). <see cref="LocalEcrServer.StartAsync"/> throws it before it touches the directory.
/// </summary>
public sealed class DataDirectoryInUseException : IOException
{
    public DataDirectoryInUseException()
    {
    }

    public DataDirectoryInUseException(string message)
        : base(message)
    {
    }

    public DataDirectoryInUseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The folder's full path.</summary>
    public string DataDirectory { get; init; } = string.Empty;
}
