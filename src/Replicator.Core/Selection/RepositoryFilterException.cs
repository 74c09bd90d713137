namespace Replicator.Core.Selection;

/// <summary>A repository filter that does not parse; the message names the bad pattern and says why.</summary>
public sealed class RepositoryFilterException : FormatException
{
    public RepositoryFilterException()
    {
    }

    public RepositoryFilterException(string message)
        : base(message)
    {
    }

    public RepositoryFilterException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
