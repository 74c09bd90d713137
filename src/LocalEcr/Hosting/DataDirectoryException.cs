namespace LocalEcr;

/// <summary>
/// The data directory (<see cref="LocalEcrOptions.DataDirectory"/>, <c>--data-dir</c>) cannot be used: LocalEcr cannot
/// make or clear its folders there (a file where a folder goes, a folder it may not write), or another server is using it
/// (<see cref="DataDirectoryInUseException"/>). <see cref="LocalEcrServer.StartAsync"/> throws it before it listens, so a
/// host can name the directory, not the port, as what is wrong.
/// </summary>
public class DataDirectoryException : IOException
{
    public DataDirectoryException()
    {
    }

    public DataDirectoryException(string message)
        : base(message)
    {
    }

    public DataDirectoryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The folder's full path.</summary>
    public string DataDirectory { get; init; } = string.Empty;
}
