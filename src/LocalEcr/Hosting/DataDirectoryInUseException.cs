namespace LocalEcr;

/// <summary>
/// Another LocalEcr server, in this process or another, is using the data directory: one server per data directory
/// (README, <c>--data-dir</c>). <see cref="LocalEcrServer.StartAsync"/> throws it before it touches the directory.
/// </summary>
public sealed class DataDirectoryInUseException : DataDirectoryException
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
}
